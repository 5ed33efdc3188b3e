import type { LlamaContextSequence, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import { reuseEvaluatedPrefix, type CompletionStats, type TokenDecoder } from "../completion/index.js";
import { AnswerTextStream } from "./answerTextStream.js";
import { endingTokenRunLength, type StopTriggers } from "./stopTriggers.js";

export type AnswerStopReason = "eos" | "maxTokens" | "aborted";

export interface GeneratedAnswer {
  text: string;
  /** Tokens generated for the answer (a stop token run of the chat template not counted). */
  tokens: number;
  stopReason: AnswerStopReason;
  stats: CompletionStats;
}

export interface GenerateAnswerOptions {
  maxTokens: number;
  stops: StopTriggers;
  /** Aborting ends the answer where it is (stopReason "aborted"); it does not throw. */
  signal: AbortSignal;
  onText?: (text: string) => void;
  /** Holds the answer to a grammar (a code-only answer). */
  grammarEvaluationState?: LlamaGrammarEvaluationState;
}

/**
 * Generates an answer after a chat prompt on a context sequence, greedily, so that a draft model
 * speculating for the sequence changes the speed and never the text. Ends at an end-of-generation
 * token or a stop trigger of the chat template (eos), at `maxTokens`, or when the signal aborts.
 */
export async function generateAnswer(
  sequence: LlamaContextSequence,
  prompt: Token[],
  options: GenerateAnswerOptions,
): Promise<GeneratedAnswer> {
  const started = performance.now();
  const reused = await reuseEvaluatedPrefix(sequence, prompt);
  const predictionsBefore = { ...sequence.tokenPredictions };
  const tokens = options.signal.aborted
    ? undefined
    : sequence.evaluate(prompt.slice(reused), {
        temperature: 0,
        grammarEvaluationState: options.grammarEvaluationState,
      });
  const answer = await collectAnswer(sequence.model, tokens, options);
  const after = sequence.tokenPredictions;
  return withStats(answer, {
    started,
    promptTokens: prompt.length,
    reusedPromptTokens: reused,
    validated: after.validated - predictionsBefore.validated,
    refuted: after.refuted - predictionsBefore.refuted,
  });
}

/**
 * Generates an answer with the tokens a decoder chooses (contrastive decoding, a token ensemble)
 * instead of one model's greedy pick; ends like generateAnswer. `model` detokenizes: it shares the
 * decoder's tokenizer. Grammars do not apply here.
 */
export async function generateDecodedAnswer(
  decoder: TokenDecoder,
  model: LlamaModel,
  prompt: Token[],
  options: Omit<GenerateAnswerOptions, "grammarEvaluationState">,
): Promise<GeneratedAnswer> {
  const started = performance.now();
  const tokens = options.signal.aborted ? undefined : decoder.decode(prompt, options.signal);
  const answer = await collectAnswer(model, tokens, options);
  return withStats(answer, {
    started,
    promptTokens: prompt.length,
    reusedPromptTokens: 0,
    validated: 0,
    refuted: 0,
  });
}

interface CollectedAnswer {
  text: string;
  tokens: number;
  stopReason: AnswerStopReason;
  firstTokenAt?: number;
}

/** Takes tokens until the answer ends (see generateAnswer); `tokens` undefined: aborted before starting. */
async function collectAnswer(
  model: LlamaModel,
  source: AsyncIterable<Token> | undefined,
  options: Omit<GenerateAnswerOptions, "grammarEvaluationState">,
): Promise<CollectedAnswer> {
  const { maxTokens, stops, signal } = options;
  const stream = new AnswerTextStream(
    (tokens, lastTokens) => model.detokenize(tokens, false, lastTokens),
    stops.texts,
    options.onText,
  );
  const tokens: Token[] = [];
  let stopReason: AnswerStopReason = source ? "eos" : "aborted";
  let firstTokenAt: number | undefined;
  let brokeOut = false;
  for await (const token of source ?? []) {
    brokeOut = true;
    if (signal.aborted) {
      stopReason = "aborted";
      break;
    }
    firstTokenAt ??= performance.now();
    if (model.isEogToken(token)) break;
    tokens.push(token);
    const triggerLength = endingTokenRunLength(tokens, stops.tokenRuns);
    if (triggerLength > 0) {
      tokens.splice(tokens.length - triggerLength);
      break;
    }
    if (stream.update(tokens)) break;
    if (tokens.length >= maxTokens) {
      stopReason = "maxTokens";
      break;
    }
    brokeOut = false;
  }
  // The tokens ran out without an end-of-generation token: a decoder that saw the abort first.
  if (!brokeOut && source && signal.aborted) stopReason = "aborted";
  return {
    text: stream.finish(tokens, stopReason === "eos"),
    tokens: tokens.length,
    stopReason,
    firstTokenAt,
  };
}

function withStats(
  answer: CollectedAnswer,
  run: {
    started: number;
    promptTokens: number;
    reusedPromptTokens: number;
    validated: number;
    refuted: number;
  },
): GeneratedAnswer {
  const finished = performance.now();
  const generationSeconds = (finished - (answer.firstTokenAt ?? finished)) / 1000;
  const { validated, refuted } = run;
  return {
    text: answer.text,
    tokens: answer.tokens,
    stopReason: answer.stopReason,
    stats: {
      promptTokens: run.promptTokens,
      reusedPromptTokens: run.reusedPromptTokens,
      generatedTokens: answer.tokens,
      drafted: validated + refuted,
      validated,
      refuted,
      acceptanceRate: validated + refuted > 0 ? validated / (validated + refuted) : undefined,
      tokensPerSecond:
        answer.tokens > 1 && generationSeconds > 0 ? (answer.tokens - 1) / generationSeconds : undefined,
      timeToFirstTokenMs: (answer.firstTokenAt ?? finished) - run.started,
      totalMs: finished - run.started,
    },
  };
}
