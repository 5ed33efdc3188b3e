import type { LlamaContextSequence, Token } from "node-llama-cpp";
import {
  CompletionAbortedError,
  continuationLogProbabilities,
  meanLogProbability,
  reuseEvaluatedPrefix,
  type CompletionEngine,
} from "../completion/index.js";
import {
  bestCandidate,
  defaultBestOfNTemperature,
  drawCandidates,
  type BestOfNSettings,
  type CandidateScore,
} from "../ensemble/index.js";
import type { ChatBestOfNBlock } from "../host/contract/engineApi.js";
import { checkCodeBlocks, type CodeBlockCheck } from "./checkCodeBlocks.js";
import { closesFence, codeBlockSpans, extractCodeBlocks, type CodeBlockSpan } from "./codeBlocks.js";
import { codeOnlyBodyGrammar } from "./codeOnlyAnswer.js";
import { endingTokenRunLength, textTriggerIndex, type StopTriggers } from "./stopTriggers.js";

export interface CodeBlockCandidatesOptions {
  /** The chat prompt the answer was generated after. */
  prompt: readonly Token[];
  /** Names the chat's sequence in the pool (its evaluated prompt is reused). */
  sequenceOwner: string;
  stops: StopTriggers;
  /**
   * The answer's token limit (counted from its start): a version of a block not closed within it is dropped.
   */
  maxTokens: number;
  /**
   * The answer is code-only: other versions follow the same grammar, and one the token limit cuts is
   * closed there, as the answer itself is.
   */
  codeOnly: boolean;
  /** The detector's check of a block; without it blocks are judged by likelihood alone. */
  check?: CodeBlockCheck;
  signal?: AbortSignal;
  onError?: (message: string) => void;
}

/**
 * Best-of-n for the code blocks of a finished chat answer: for each closed block, other versions of
 * its code are sampled after the answer's text up to the block (distinct seeds, within one time
 * budget for all blocks), and each block becomes the version with the fewest detector findings, then
 * the highest likelihood under the target (evaluated, not taken from sampling). Every block is judged
 * in the original answer's context. Stopping keeps the answer as it was.
 */
export async function chooseCodeBlocks(
  completion: CompletionEngine,
  answer: string,
  settings: BestOfNSettings,
  options: CodeBlockCandidatesOptions,
): Promise<{ text: string; blocks: ChatBestOfNBlock[] }> {
  const spans = codeBlockSpans(answer).filter((span) => span.terminated);
  if (settings.n <= 1 || spans.length === 0) return { text: answer, blocks: [] };
  const model = completion.model;
  const startedAt = performance.now();
  const chosen: { span: CodeBlockSpan; body: string; report: ChatBestOfNBlock }[] = [];
  for (const span of spans) {
    if (options.signal?.aborted) break;
    const original = answer.slice(span.bodyStart, span.bodyEnd);
    const answerBefore = model.tokenize(answer.slice(0, span.bodyStart), false);
    const context = [...options.prompt, ...answerBefore];
    // The answer's own token limit, counted from its start: the prompt leaves room for no more.
    const limit = Math.max(1, options.maxTokens - answerBefore.length);
    let drawn;
    try {
      drawn = await drawCandidates<string>(
        settings,
        async (index, signal) =>
          index === 0
            ? original
            : sampleBody(completion, context, span, index, limit, settings, options, signal),
        options.signal,
        startedAt,
      );
    } catch (error) {
      if (error instanceof CompletionAbortedError) break;
      throw error;
    }
    const bodies = [...new Set(drawn.candidates)];
    if (options.signal?.aborted) break;
    const scores = await scoreBodies(completion, answer, span, context, bodies, options);
    if (scores === undefined) break;
    const best = bestCandidate(scores);
    chosen.push({
      span,
      body: bodies[best]!,
      report: {
        index: span.index,
        candidates: bodies.map((body, index) => ({ text: codeOf(answer, span, body), ...scores[index]! })),
        chosen: best,
        dropped: drawn.dropped,
      },
    });
  }
  let text = answer;
  for (const { span, body } of [...chosen].reverse())
    text = text.slice(0, span.bodyStart) + body + text.slice(span.bodyEnd);
  return { text, blocks: chosen.map((entry) => entry.report) };
}

/** The block's code (as extractCodeBlocks gives it) when its body is `body`. */
function codeOf(answer: string, span: CodeBlockSpan, body: string): string {
  return extractCodeBlocks(answer.slice(0, span.bodyStart) + body + answer.slice(span.bodyEnd))[span.index]!
    .code;
}

/** Findings and target likelihood of each version of a block; undefined when stopped meanwhile. */
async function scoreBodies(
  completion: CompletionEngine,
  answer: string,
  span: CodeBlockSpan,
  context: readonly Token[],
  bodies: readonly string[],
  options: CodeBlockCandidatesOptions,
): Promise<CandidateScore[] | undefined> {
  const scores: CandidateScore[] = [];
  for (const body of bodies) {
    const block = extractCodeBlocks(answer.slice(0, span.bodyStart) + body + answer.slice(span.bodyEnd))[
      span.index
    ]!;
    const [checked] = await checkCodeBlocks([block], options.check, options.onError);
    let logProbabilities: number[];
    try {
      logProbabilities = await completion.withSequence(
        options.sequenceOwner,
        options.signal,
        (sequence) => continuationLogProbabilities(sequence, context, completion.model.tokenize(body, false)),
        "chat",
      );
    } catch (error) {
      if (error instanceof CompletionAbortedError) return undefined;
      throw error;
    }
    const mean = meanLogProbability(logProbabilities);
    const findings = checked?.findings.length ?? 0;
    scores.push({
      certainFindings: findings,
      findings,
      ...(mean === undefined ? {} : { meanLogProbability: mean }),
    });
  }
  return scores;
}

/**
 * One sampled version of a block's body (its lines, each with its line break), generated after
 * `context` until a line closes the block's fence; undefined when the answer ended or ran out of
 * tokens before that (a code-only version is closed where the limit cuts it). Throws
 * CompletionAbortedError when `signal` aborts.
 */
async function sampleBody(
  completion: CompletionEngine,
  context: readonly Token[],
  span: CodeBlockSpan,
  seed: number,
  limit: number,
  settings: BestOfNSettings,
  options: CodeBlockCandidatesOptions,
  signal: AbortSignal,
): Promise<string | undefined> {
  const grammarEvaluationState = options.codeOnly
    ? await completion.grammarEvaluationState(codeOnlyBodyGrammar())
    : undefined;
  return completion.withSequence(
    options.sequenceOwner,
    signal,
    async (sequence: LlamaContextSequence, sequenceSignal) => {
      const model = sequence.model;
      const prompt = [...context];
      const reused = await reuseEvaluatedPrefix(sequence, prompt);
      const tokens: Token[] = [];
      const evaluation = sequence.evaluate(prompt.slice(reused), {
        temperature: settings.temperature ?? defaultBestOfNTemperature,
        seed,
        grammarEvaluationState,
      });
      for await (const token of evaluation) {
        if (sequenceSignal.aborted) throw new CompletionAbortedError();
        if (model.isEogToken(token)) return closedBody(model.detokenize(tokens, false), span, true);
        tokens.push(token);
        if (endingTokenRunLength(tokens, options.stops.tokenRuns) > 0) return undefined;
        const text = model.detokenize(tokens, false);
        if (textTriggerIndex(text, options.stops.texts) !== -1) return undefined;
        const body = closedBody(text, span, false);
        if (body !== undefined) return body;
        if (tokens.length >= limit)
          return options.codeOnly ? (text.endsWith("\n") ? text : `${text}\n`) : undefined;
      }
      if (sequenceSignal.aborted) throw new CompletionAbortedError();
      return undefined;
    },
    "chat",
  );
}

/**
 * The body before the first line that closes the block's fence, or undefined when no line does yet.
 * A line counts once its line break follows (or `atEnd`: nothing more will come).
 */
function closedBody(text: string, span: CodeBlockSpan, atEnd: boolean): string | undefined {
  const lines = text.split("\n");
  const complete = atEnd ? lines.length : lines.length - 1;
  for (let index = 0; index < complete; index++) {
    if (closesFence(lines[index]!, span.fence))
      return index === 0 ? "" : `${lines.slice(0, index).join("\n")}\n`;
  }
  return undefined;
}
