import type { LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { CancelledBySwapError, cancellationOf, type ContextChunk } from "../completion/index.js";
import type { LlamaRuntime } from "../runtime/index.js";
import type { ContextCompressor, FitRequest, FittedContext } from "./contextCompressor.js";
import { draftLineSelfInformation } from "./draftSelfInformation.js";
import { contextTokens, dropToFit, fitContext } from "./fitContext.js";
import { LineScoreCache } from "./lineScoreCache.js";

export interface DraftCompressorOptions {
  /** Tokens of one chunk the draft reads; lines past them count as averagely surprising. Default 2048. */
  contextSize?: number;
  /** Chunks whose line scores are kept for the next request. Default 512; 0: score every time. */
  cachedChunks?: number;
}

/**
 * A ContextCompressor that scores lines by the self-information `draft` gives them (LLMLingua-style),
 * on a context of its own: the completion engine's sequences are never touched. One chunk is scored
 * at a time; scores are cached by chunk text (and, for fits that do not wait, computed in the
 * background). Dispose it before the draft model.
 */
export async function createDraftCompressor(
  runtime: Pick<LlamaRuntime, "createContext">,
  draft: LlamaModel,
  options: DraftCompressorOptions = {},
): Promise<ContextCompressor> {
  const contextSize = options.contextSize ?? 2048;
  const context = await runtime.createContext(draft, { contextSize });
  return new DraftCompressor(draft, context, contextSize, new LineScoreCache(options.cachedChunks ?? 512));
}

class DraftCompressor implements ContextCompressor {
  private readonly sequence: LlamaContextSequence;
  /** Aborts what runs when the compressor is disposed. */
  private readonly lifetime = new AbortController();
  /** Settles when the last scoring queued so far has ended: the one sequence scores one chunk at a time. */
  private tail: Promise<void> = Promise.resolve();
  private disposing: Promise<void> | undefined;
  /** Chunks (by text) queued for scoring in the background. */
  private readonly queued = new Set<string>();

  constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly maxTokens: number,
    private readonly cache: LineScoreCache,
  ) {
    this.sequence = context.getSequence();
  }

  async fit(chunks: readonly ContextChunk[], request: FitRequest): Promise<FittedContext> {
    const controller = new AbortController();
    const signals = [this.lifetime.signal, ...(request.signal ? [request.signal] : [])];
    const onAbort = (event: Event): void => controller.abort((event.target as AbortSignal).reason);
    for (const signal of signals) {
      if (signal.aborted) controller.abort(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    }
    try {
      controller.signal.throwIfAborted();
      if (request.waitForScores === false) {
        const unscored = chunks.filter((chunk) => !this.cache.has(chunk.text.split("\n")));
        if (unscored.length > 0 && contextTokens(chunks, request.countTokens) > request.budgetTokens) {
          this.scoreLater(unscored);
          return dropToFit(chunks, request, unscored.length);
        }
      }
      return await fitContext(chunks, request, (lines) => this.scoreLines(lines, controller.signal));
    } catch (error) {
      if (controller.signal.aborted) throw cancellationOf(controller.signal);
      throw error;
    } finally {
      for (const signal of signals) signal.removeEventListener("abort", onAbort);
    }
  }

  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      this.lifetime.abort(new CancelledBySwapError());
      await this.tail;
      await this.context.dispose();
    })();
    return this.disposing;
  }

  private async scoreLines(lines: string[], signal: AbortSignal): Promise<number[]> {
    const cached = this.cache.get(lines);
    if (cached) return cached;
    // Another request may have scored the same chunk while this one waited.
    const scores = await this.exclusive(
      signal,
      async () =>
        this.cache.get(lines) ??
        (await draftLineSelfInformation(this.model, this.sequence, this.maxTokens, signal)(lines)),
    );
    this.cache.set(lines, scores);
    return scores;
  }

  /** Scores the chunks one by one after what is queued; failures only leave them unscored. */
  private scoreLater(chunks: readonly ContextChunk[]): void {
    for (const chunk of chunks) {
      if (this.queued.has(chunk.text)) continue;
      this.queued.add(chunk.text);
      void this.scoreLines(chunk.text.split("\n"), this.lifetime.signal)
        .catch(() => undefined)
        .finally(() => this.queued.delete(chunk.text));
    }
  }

  private async exclusive<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.tail = previous.then(() => done);
    try {
      await untilAborted(previous, signal);
      return await work();
    } finally {
      release();
    }
  }
}

/** `promise`, or a rejection with `signal`'s reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
