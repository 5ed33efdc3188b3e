import type { AdapterSelection, InferenceBackend } from "../backends/index.js";
import {
  type CompletionCache,
  answerFromCache,
  defaultCompletionEngineOptions,
  postprocessCompletion,
  wantsMultiline,
  type CompletionGenerator,
  type CompletionRequest,
  type CompletionResult,
} from "../completion/index.js";

/**
 * Completions generated on an inference server, answered from a cache here first (with typing-through),
 * post-processed as local ones are. Requests carry the variant's adapters: variants on one server swap
 * by naming others. A newer request for the same document is superseded by the pipeline's scheduler.
 */
export class RemoteCompletionGenerator implements CompletionGenerator {
  private running = 0;

  /** `cache` is the server connection's: a variant swapped back to finds its answers (keyed by variant). */
  constructor(
    private readonly backend: InferenceBackend,
    private readonly variant: string,
    private readonly adapters: readonly AdapterSelection[],
    private readonly cache: CompletionCache,
  ) {}

  /** Requests on the server right now. */
  get requestsRunning(): number {
    return this.running;
  }

  answerWithoutGenerating(request: CompletionRequest): CompletionResult | undefined {
    return answerFromCache(this.cache, this.variant, request);
  }

  remember(request: CompletionRequest, text: string): void {
    this.cache.set(this.variant, request.document, request.prefix, request.suffix, text);
  }

  async complete(
    request: CompletionRequest,
    signal?: AbortSignal,
    onChunk?: (chunk: string) => void,
  ): Promise<CompletionResult> {
    const known = this.answerWithoutGenerating(request);
    if (known) return known;
    const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
    this.running++;
    try {
      const generated = await this.backend.complete(
        {
          prefix: request.prefix,
          suffix: request.suffix,
          chunks: request.chunks ?? [],
          path: request.path,
          ...(request.projectName !== undefined ? { projectName: request.projectName } : {}),
          maxTokens: request.maxTokens ?? defaultCompletionEngineOptions.maxTokens,
          // A single-line suggestion is the rest of the current line: the server stops at its end.
          ...(multiline ? {} : { stop: ["\n"] }),
          ...(request.sampling ? { sampling: request.sampling } : {}),
          adapters: this.adapters,
        },
        signal,
        onChunk,
      );
      const text = postprocessCompletion(generated.text, {
        prefix: request.prefix,
        suffix: request.suffix,
        multiline,
      });
      if (!request.bypassCache && request.sampling === undefined) this.remember(request, text);
      return { text, raw: generated.text, source: "generated", multiline, stats: generated.stats };
    } finally {
      this.running--;
    }
  }
}
