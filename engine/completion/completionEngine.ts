import type { LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel, Token } from "node-llama-cpp";
import { importNodeLlamaCpp, type LlamaRuntime } from "../runtime/index.js";
import {
  createAdaptivePredictor,
  defaultAdaptivePredictorOptions,
  type AdaptivePredictorOptions,
} from "./adaptivePredictor.js";
import {
  CancelledBySwapError,
  SupersededRequestError,
  cancellationOf,
  throwIfCancelled,
} from "./cancellation.js";
import { CompletionCache } from "./completionCache.js";
import { continuationLogProbabilities, meanLogProbability } from "./continuationLikelihood.js";
import { buildFimPrompt, type ContextChunk, type FimPrompt } from "./fimPrompt.js";
import { NoFillInMiddleError, fimTokensOf, type FimTokens } from "./fimTokens.js";
import { wantsMultiline } from "./multiline.js";
import { postprocessCompletion } from "./postprocess.js";
import { RollingStats, type CompletionStats } from "./stats.js";
import { SequencePool, type PooledSlot } from "./sequencePool.js";
import { reuseEvaluatedPrefix } from "./sequenceReuse.js";
import type { TokenDecoder } from "./tokenDecoder.js";

export interface CompletionEngineOptions {
  /** Names the loaded variant in cache keys. */
  variant: string;
  /** Use the draft model (and input lookup) to speculate. Output is the same either way. */
  speculative: boolean;
  contextSize: number;
  /** How many requests may generate at once. */
  parallelRequests: number;
  /**
   * Sequences kept for chat answers (withSequence's "chat" lane), so a chat and a completion never wait
   * for each other; 0: chat shares the completions' sequences.
   */
  chatSequences: number;
  promptBudgetTokens: number;
  maxTokens: number;
  predictor?: AdaptivePredictorOptions;
  /** LoRA adapters applied to the target at run time. */
  adapters?: { filePath: string; scale: number }[];
  /**
   * Chooses the tokens of greedy answers instead of the target alone (a token ensemble). Requests
   * with a grammar, sampling or token confidence are answered by the target alone. Not with a draft.
   */
  decoder?: TokenDecoder;
}

export const defaultCompletionEngineOptions: Omit<CompletionEngineOptions, "variant"> = {
  speculative: true,
  contextSize: 2048,
  parallelRequests: 1,
  chatSequences: 0,
  promptBudgetTokens: 1536,
  maxTokens: 128,
};

export interface CompletionRequest {
  /** Identifies the document (its URI); a newer request for the same document aborts the older one. */
  document: string;
  /** Workspace-relative path, shown to the model. */
  path: string;
  prefix: string;
  suffix: string;
  chunks?: readonly ContextChunk[];
  projectName?: string;
  /** Overrides the single/multi-line decision made from the syntax around the cursor. */
  multiline?: boolean;
  maxTokens?: number;
  /** A GBNF grammar the suggestion must follow (the repair loop steers towards existing names with one). */
  grammar?: string;
  /** Generate even when the cache has an answer (a repair must not be served the answer it repairs). */
  bypassCache?: boolean;
  /** Report the model's probability of each generated token (a cascade judges the answer by them). */
  tokenConfidence?: boolean;
  /**
   * Sample instead of decoding greedily (best-of-n draws several candidates this way). Sampled answers
   * are neither cached nor served from the cache; speculation stays correct but accepts less.
   */
  sampling?: { temperature: number; seed?: number };
}

/** The model's probability for one generated token; offsets in the result's `raw` text. */
export interface GeneratedTokenConfidence {
  start: number;
  end: number;
  probability: number;
}

export interface CompletionResult {
  text: string;
  /** What the model produced before post-processing (for diagnostics and the lossless check). */
  raw: string;
  source: "generated" | "cache" | "typing-through";
  multiline: boolean;
  stats?: CompletionStats;
  /** With `tokenConfidence` on a generated answer: one entry per generated token. */
  tokenConfidences?: GeneratedTokenConfidence[];
}

/**
 * Who a lent sequence serves: completions, or chat answers (their own sequences when the engine has some).
 */
export type SequenceLane = "completion" | "chat";

/**
 * Inline completion over a target model and, optionally, a draft that speculates for it: FIM
 * prompts within a budget, KV reuse of the prompt prefix between requests, greedy decoding (so
 * speculation is lossless), post-processing, a cache with typing-through, cancellation that always
 * returns the sequence to the pool.
 */
export class CompletionEngine {
  readonly cache = new CompletionCache();
  readonly stats = new RollingStats();
  private readonly inFlight = new Map<string, AbortController>();
  /** Sequences lent out by withSequence(): aborted when the engine is disposed. */
  private readonly lent = new Set<AbortController>();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private disposed = false;

  private constructor(
    private readonly target: LlamaModel,
    private readonly fim: FimTokens,
    private readonly targetContext: LlamaContext,
    private readonly draftContexts: LlamaContext[],
    private readonly pool: SequencePool,
    private readonly chatPool: SequencePool | undefined,
    private readonly options: CompletionEngineOptions,
  ) {}

  static async create(
    runtime: LlamaRuntime,
    models: { target: LlamaModel; draft?: LlamaModel },
    options: Partial<CompletionEngineOptions> & { variant: string },
  ): Promise<CompletionEngine> {
    const settings: CompletionEngineOptions = { ...defaultCompletionEngineOptions, ...options };
    const fim = fimTokensOf(models.target);
    if (!fim) throw new NoFillInMiddleError(models.target.filename ?? "The model");
    const speculative = settings.speculative && models.draft !== undefined;
    if (speculative && settings.decoder)
      throw new Error("A completion engine with its own token decoder cannot also speculate with a draft");
    const llama = await importNodeLlamaCpp();
    const targetContext = await runtime.createContext(models.target, {
      contextSize: settings.contextSize,
      sequences: settings.parallelRequests + settings.chatSequences,
      ...(settings.adapters?.length ? { lora: { adapters: settings.adapters } } : {}),
    });
    const draftContexts: LlamaContext[] = [];
    const slots: PooledSlot[] = [];
    try {
      for (let index = 0; index < settings.parallelRequests + settings.chatSequences; index++) {
        if (speculative) {
          const draftContext = await runtime.createContext(models.draft!, {
            contextSize: settings.contextSize,
          });
          draftContexts.push(draftContext);
          const predictor = createAdaptivePredictor(
            llama,
            draftContext.getSequence(),
            settings.predictor ?? defaultAdaptivePredictorOptions,
          );
          slots.push({ sequence: targetContext.getSequence({ tokenPredictor: predictor }), predictor });
        } else {
          slots.push({ sequence: targetContext.getSequence() });
        }
      }
    } catch (error) {
      for (const context of draftContexts) await context.dispose();
      await targetContext.dispose();
      throw error;
    }
    const chatSlots = slots.splice(settings.parallelRequests);
    return new CompletionEngine(
      models.target,
      fim,
      targetContext,
      draftContexts,
      new SequencePool(slots),
      chatSlots.length > 0 ? new SequencePool(chatSlots) : undefined,
      { ...settings, speculative },
    );
  }

  get speculative(): boolean {
    return this.options.speculative;
  }

  /** Requests holding a context sequence right now. */
  get sequencesInUse(): number {
    return this.pool.busy + (this.chatPool?.busy ?? 0);
  }

  /** The target model the sequences evaluate. */
  get model(): LlamaModel {
    return this.target;
  }

  /** Tokens each sequence holds: a prompt and what is generated after it must fit. */
  get contextSize(): number {
    return this.targetContext.contextSize;
  }

  /**
   * Lends a context sequence of the pool to `use` (the draft speculates for it when the variant has
   * one) and takes it back whatever happens. `owner` names what its KV cache will hold, so the next
   * request of the same owner gets it back and reuses the evaluated prefix. `use` receives a signal
   * that aborts with `signal` or when the engine is disposed. Rejects with CompletionAbortedError
   * when aborted while waiting for a free sequence, and with CancelledBySwapError when the engine is
   * disposed before `use` ends (whatever `use` returned: it ran on a variant that is gone).
   */
  async withSequence<T>(
    owner: string,
    signal: AbortSignal | undefined,
    use: (sequence: LlamaContextSequence, signal: AbortSignal) => Promise<T>,
    lane: SequenceLane = "completion",
  ): Promise<T> {
    if (this.disposed) throw new CancelledBySwapError();
    const pool = lane === "chat" ? (this.chatPool ?? this.pool) : this.pool;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);
    this.lent.add(controller);
    try {
      let slot: PooledSlot;
      try {
        slot = await pool.acquire(owner, controller.signal);
      } catch {
        throw cancellationOf(controller.signal);
      }
      try {
        const result = await use(slot.sequence, controller.signal);
        if (controller.signal.reason instanceof CancelledBySwapError) throw controller.signal.reason;
        return result;
      } catch (error) {
        if (controller.signal.reason instanceof CancelledBySwapError) throw controller.signal.reason;
        throw error;
      } finally {
        pool.release(slot, owner);
      }
    } finally {
      this.lent.delete(controller);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** `onChunk` receives the raw text as it is generated (not for cached or typed-through answers). */
  async complete(
    request: CompletionRequest,
    signal?: AbortSignal,
    onChunk?: (chunk: string) => void,
  ): Promise<CompletionResult> {
    if (this.disposed) throw new CancelledBySwapError();
    const known = this.answerWithoutGenerating(request);
    if (known) return known;
    const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
    const { variant } = this.options;
    const cacheable = !request.bypassCache && request.grammar === undefined && request.sampling === undefined;

    const controller = new AbortController();
    this.inFlight.get(request.document)?.abort(new SupersededRequestError());
    this.inFlight.set(request.document, controller);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);
    try {
      const generated = await this.generate(request, multiline, controller.signal, onChunk);
      const text = postprocessCompletion(generated.raw, {
        prefix: request.prefix,
        suffix: request.suffix,
        multiline,
      });
      if (cacheable) this.cache.set(variant, request.document, request.prefix, request.suffix, text);
      this.stats.record(generated.stats);
      return {
        text,
        raw: generated.raw,
        source: "generated",
        multiline,
        stats: generated.stats,
        ...(generated.tokenConfidences ? { tokenConfidences: generated.tokenConfidences } : {}),
      };
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (this.inFlight.get(request.document) === controller) this.inFlight.delete(request.document);
    }
  }

  /**
   * The answer the cache or typing-through gives, without generating: callers that would prepare a
   * generation (retrieval, say) ask this first.
   */
  answerWithoutGenerating(request: CompletionRequest): CompletionResult | undefined {
    return answerFromCache(this.cache, this.options.variant, request);
  }

  /**
   * The target's mean log-probability per token of `text` as the answer to `request` (same prompt as
   * generation), computed by evaluating the text with the target: undefined for an empty text.
   */
  async continuationLikelihood(
    request: CompletionRequest,
    text: string,
    signal?: AbortSignal,
  ): Promise<{ meanLogProbability?: number; tokens: number }> {
    const prompt = this.promptOf(request);
    const continuation = this.target.tokenize(text, false);
    const scores = await this.withSequence(request.document, signal, (sequence) =>
      continuationLogProbabilities(sequence, prompt.tokens, continuation),
    );
    const mean = meanLogProbability(scores);
    return { ...(mean === undefined ? {} : { meanLogProbability: mean }), tokens: continuation.length };
  }

  /**
   * Caches `text` as the answer to `request` (an answer chosen elsewhere, e.g. best of several), with
   * typing-through.
   */
  remember(request: CompletionRequest, text: string): void {
    this.cache.set(this.options.variant, request.document, request.prefix, request.suffix, text);
  }

  /**
   * Stops what runs, then frees the contexts. Requests under way end with CancelledBySwapError; the
   * contexts are disposed only once no sequence is lent out and every draft predictor is idle (a draft
   * evaluating on a disposed sequence rejects where nothing can catch it, and ends the process).
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const reason = new CancelledBySwapError();
    for (const controller of this.inFlight.values()) controller.abort(reason);
    for (const controller of this.lent) controller.abort(reason);
    const pools = [this.pool, ...(this.chatPool ? [this.chatPool] : [])];
    for (const pool of pools) pool.close(reason);
    await Promise.all(pools.map((pool) => pool.idle()));
    await Promise.all(
      pools.flatMap((pool) => pool.slots.flatMap((slot) => (slot.predictor ? [slot.predictor.drain()] : []))),
    );
    for (const context of this.draftContexts) await context.dispose();
    await this.targetContext.dispose();
  }

  private async generate(
    request: CompletionRequest,
    multiline: boolean,
    signal: AbortSignal,
    onChunk?: (chunk: string) => void,
  ): Promise<{ raw: string; stats: CompletionStats; tokenConfidences?: GeneratedTokenConfidence[] }> {
    const started = performance.now();
    const prompt = this.promptOf(request);
    let slot: PooledSlot;
    try {
      slot = await this.pool.acquire(request.document, signal);
    } catch {
      throw cancellationOf(signal);
    }
    const { sequence } = slot;
    try {
      throwIfCancelled(signal);
      const decoder =
        request.grammar === undefined && request.sampling === undefined && !request.tokenConfidence
          ? this.options.decoder
          : undefined;
      // The decoder keeps its own sequences (and their evaluated prefix): this one is not used.
      const reused = decoder ? 0 : await reuseEvaluatedPrefix(sequence, prompt.tokens);
      const grammarEvaluationState =
        request.grammar === undefined ? undefined : await this.grammarEvaluationState(request.grammar);
      const predictionsBefore = { ...sequence.tokenPredictions };
      const maxTokens = request.maxTokens ?? this.options.maxTokens;
      const tokens: Token[] = [];
      const probabilities: number[] = [];
      let streamed = "";
      let firstTokenAt: number | undefined;
      const input = prompt.tokens.slice(reused);
      const evaluateOptions = {
        temperature: request.sampling?.temperature ?? 0,
        seed: request.sampling?.seed,
        grammarEvaluationState,
      };
      // Only with confidence asked for: evaluateWithMetadata() directly, with a grammar and the draft
      // speculating, never finishes in 3.22.1, while evaluate() (its wrapper) does.
      const evaluation = decoder
        ? withTokenOnly(decoder.decode(prompt.tokens, signal))
        : request.tokenConfidence
          ? sequence.evaluateWithMetadata(input, { confidence: true }, evaluateOptions)
          : withTokenOnly(sequence.evaluate(input, evaluateOptions));
      for await (const output of evaluation) {
        const token = output.token;
        if (signal.aborted) break;
        firstTokenAt ??= performance.now();
        if (this.target.isEogToken(token)) break;
        tokens.push(token);
        if ("confidence" in output && typeof output.confidence === "number")
          probabilities.push(output.confidence);
        if (onChunk) {
          // Detokenize the whole run: a token can end inside a multi-byte character.
          const text = this.target.detokenize(tokens, false);
          if (text.length > streamed.length && text.startsWith(streamed) && !text.endsWith("\uFFFD")) {
            onChunk(text.slice(streamed.length));
            streamed = text;
          }
        }
        if (tokens.length >= maxTokens || this.hasEnough(tokens, multiline)) break;
      }
      if (signal.aborted) throw cancellationOf(signal);
      const finished = performance.now();
      const after = sequence.tokenPredictions;
      const validated = after.validated - predictionsBefore.validated;
      const refuted = after.refuted - predictionsBefore.refuted;
      const generationSeconds = (finished - (firstTokenAt ?? finished)) / 1000;
      const raw = this.target.detokenize(tokens, false);
      if (onChunk && raw.length > streamed.length) onChunk(raw.slice(streamed.length));
      return {
        raw,
        ...(request.tokenConfidence ? { tokenConfidences: this.tokenSpans(tokens, probabilities) } : {}),
        stats: {
          promptTokens: prompt.tokens.length,
          reusedPromptTokens: reused,
          generatedTokens: tokens.length,
          drafted: validated + refuted,
          validated,
          refuted,
          acceptanceRate: validated + refuted > 0 ? validated / (validated + refuted) : undefined,
          tokensPerSecond:
            tokens.length > 1 && generationSeconds > 0 ? (tokens.length - 1) / generationSeconds : undefined,
          timeToFirstTokenMs: (firstTokenAt ?? finished) - started,
          totalMs: finished - started,
        },
      };
    } finally {
      this.pool.release(slot, request.document);
    }
  }

  private promptOf(request: CompletionRequest): FimPrompt {
    return buildFimPrompt(
      {
        prefix: request.prefix,
        suffix: request.suffix,
        path: request.path,
        chunks: request.chunks ?? [],
        projectName: request.projectName ?? "workspace",
        budgetTokens: this.options.promptBudgetTokens,
      },
      this.fim,
      (text) => this.target.tokenize(text, false),
    );
  }

  /** A fresh evaluation state of a GBNF grammar (grammars are parsed once and kept for reuse). */
  async grammarEvaluationState(grammarText: string) {
    const { LlamaGrammarEvaluationState } = await importNodeLlamaCpp();
    let grammar = this.grammars.get(grammarText);
    if (!grammar) {
      grammar = this.target.llama.createGrammar({ grammar: grammarText });
      this.grammars.set(grammarText, grammar);
      if (this.grammars.size > 16) this.grammars.delete(this.grammars.keys().next().value!);
    }
    return new LlamaGrammarEvaluationState({ model: this.target, grammar: await grammar });
  }

  /** Where each token lands in the detokenized text (a token ending inside a character ends with it). */
  private tokenSpans(tokens: readonly Token[], probabilities: readonly number[]): GeneratedTokenConfidence[] {
    const spans: GeneratedTokenConfidence[] = [];
    let start = 0;
    for (let index = 0; index < tokens.length; index++) {
      const end = this.target.detokenize(tokens.slice(0, index + 1), false).replace(/\uFFFD$/, "").length;
      spans.push({ start: Math.min(start, end), end, probability: probabilities[index]! });
      start = end;
    }
    return spans;
  }

  /** Stops early once the text can no longer change the suggestion: a full line in single-line mode. */
  private hasEnough(tokens: Token[], multiline: boolean): boolean {
    if (multiline) return false;
    const text = this.target.detokenize(tokens, false);
    const newline = text.indexOf("\n");
    return newline !== -1 && text.slice(0, newline).trim() !== "";
  }
}

/**
 * The answer a variant's cache already holds for a request: the rest of a suggestion the user is
 * typing through, or an answer at the same place. Never for requests that must generate (a bypass,
 * a grammar, sampling). Shared by every engine that keeps a CompletionCache.
 */
export function answerFromCache(
  cache: CompletionCache,
  variant: string,
  request: CompletionRequest,
): CompletionResult | undefined {
  if (request.bypassCache || request.grammar !== undefined || request.sampling !== undefined)
    return undefined;
  const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
  const rest = cache.typedThrough(variant, request.document, request.prefix, request.suffix);
  if (rest !== undefined) return { text: rest, raw: rest, source: "typing-through", multiline };
  const cached = cache.get(variant, request.prefix, request.suffix);
  if (cached !== undefined) return { text: cached, raw: cached, source: "cache", multiline };
  return undefined;
}

async function* withTokenOnly(tokens: AsyncIterable<Token>): AsyncGenerator<{ token: Token }> {
  for await (const token of tokens) yield { token };
}
