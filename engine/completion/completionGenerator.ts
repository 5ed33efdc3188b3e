import type { CompletionRequest, CompletionResult } from "./completionEngine.js";

/**
 * What the cooperative pipeline asks of a variant's code completion, wherever the model runs: the
 * local CompletionEngine is one, a generator over an inference server another. Both answer from the
 * same kind of cache, with typing-through, before they generate.
 */
export interface CompletionGenerator {
  /** `onChunk` receives the raw text as it is generated (not for cached or typed-through answers). */
  complete(
    request: CompletionRequest,
    signal?: AbortSignal,
    onChunk?: (chunk: string) => void,
  ): Promise<CompletionResult>;
  /** The cache's or typing-through's answer, when there is one: nothing is generated for it. */
  answerWithoutGenerating(request: CompletionRequest): CompletionResult | undefined;
  /** Caches `text` as the answer to `request` (an answer chosen elsewhere: best of several). */
  remember(request: CompletionRequest, text: string): void;
}

/** A generator that can also judge a text as the answer to a request (best of several). */
export interface ScoringGenerator extends CompletionGenerator {
  continuationLikelihood(
    request: CompletionRequest,
    text: string,
    signal?: AbortSignal,
  ): Promise<{ meanLogProbability?: number; tokens: number }>;
}
