import type { LlamaContextSequence, LlamaGrammarEvaluationState, Token } from "node-llama-cpp";
import { reuseEvaluatedPrefix, type CompletionStats } from "../completion/index.js";
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
export async function generateAnswer(sequence: LlamaContextSequence, prompt: Token[], options: GenerateAnswerOptions): Promise<GeneratedAnswer> {
  const { maxTokens, stops, signal } = options;
  const model = sequence.model;
  const started = performance.now();
  const stream = new AnswerTextStream((tokens, lastTokens) => model.detokenize(tokens, false, lastTokens), stops.texts, options.onText);
  const reused = await reuseEvaluatedPrefix(sequence, prompt);
  const predictionsBefore = { ...sequence.tokenPredictions };
  const tokens: Token[] = [];
  let stopReason: AnswerStopReason = "eos";
  let firstTokenAt: number | undefined;
  if (signal.aborted) stopReason = "aborted";
  else {
    for await (const token of sequence.evaluate(prompt.slice(reused), { temperature: 0, grammarEvaluationState: options.grammarEvaluationState })) {
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
    }
  }
  const text = stream.finish(tokens, stopReason === "eos");
  const finished = performance.now();
  const after = sequence.tokenPredictions;
  const validated = after.validated - predictionsBefore.validated;
  const refuted = after.refuted - predictionsBefore.refuted;
  const generationSeconds = (finished - (firstTokenAt ?? finished)) / 1000;
  return {
    text,
    tokens: tokens.length,
    stopReason,
    stats: {
      promptTokens: prompt.length,
      reusedPromptTokens: reused,
      generatedTokens: tokens.length,
      drafted: validated + refuted,
      validated,
      refuted,
      acceptanceRate: validated + refuted > 0 ? validated / (validated + refuted) : undefined,
      tokensPerSecond: tokens.length > 1 && generationSeconds > 0 ? (tokens.length - 1) / generationSeconds : undefined,
      timeToFirstTokenMs: (firstTokenAt ?? finished) - started,
      totalMs: finished - started,
    },
  };
}
