import type { LlamaModel } from "node-llama-cpp";
import { chatTemplateOf, generateAnswer, type ChatTemplate } from "../chat/index.js";
import type { ChatTurn } from "../host/contract/engineApi.js";
import { CompletionAbortedError, CompletionEngine } from "../completion/index.js";
import type { LlamaRuntime } from "../runtime/index.js";
import type {
  AdapterSelection,
  BackendChatAnswer,
  BackendCompletion,
  BackendStats,
  ChatRequest,
  FimRequest,
  InferenceBackend,
  StopReason,
} from "./backend.js";
import { UnsupportedRequestError } from "./backend.js";
import { StopTextFilter } from "./stopText.js";

export interface LocalBackendOptions {
  /**
   * The LoRA adapters the engine's context applies (by their names, with their scales). The local
   * engine applies adapters when it loads a variant, so a request may only ask for these.
   */
  adapters?: readonly AdapterSelection[];
  /** Frees what the backend was handed to own (the engine, its models); called once by dispose(). */
  onDispose?: () => Promise<void>;
}

/** The files of a local variant, for LocalBackend.load(). */
export interface LocalBackendFiles {
  target: string;
  draft?: string;
  adapters?: { name: string; path: string; scale: number }[];
  contextSize?: number;
}

/** Names the chat's sequence in the pool: the next conversation reuses its evaluated prefix. */
const chatSequenceOwner = "coop:backend-chat";

/**
 * node-llama-cpp in this process as an InferenceBackend: FIM through Coop's CompletionEngine (its
 * prompt layout, KV reuse and the draft's lossless speculation), chat through the model's own chat
 * template and the chat generator on a sequence of the same engine. Only generation: the engine's
 * cache and post-processing stay with the callers, as they do for a remote server.
 */
export class LocalBackend implements InferenceBackend {
  readonly kind = "local" as const;
  private template: Promise<ChatTemplate> | undefined;
  private requestCount = 0;
  private disposed = false;

  constructor(
    private readonly completion: CompletionEngine,
    private readonly options: LocalBackendOptions = {},
  ) {}

  /** Loads a variant's models into `runtime` and returns a backend that owns (and disposes) them. */
  static async load(
    runtime: LlamaRuntime,
    files: LocalBackendFiles,
    options: { variant?: string; signal?: AbortSignal } = {},
  ): Promise<LocalBackend> {
    const models: LlamaModel[] = [];
    try {
      // Disposed in reverse order: the draft before the target.
      const target = (await runtime.loadModel(files.target, { signal: options.signal })).model;
      models.push(target);
      const draft = files.draft
        ? (await runtime.loadModel(files.draft, { signal: options.signal })).model
        : undefined;
      if (draft) models.push(draft);
      const completion = await CompletionEngine.create(
        runtime,
        { target, draft },
        {
          variant: options.variant ?? "local",
          speculative: draft !== undefined,
          contextSize: files.contextSize ?? 2048,
          adapters: files.adapters?.map((adapter) => ({ filePath: adapter.path, scale: adapter.scale })),
        },
      );
      return new LocalBackend(completion, {
        adapters: files.adapters?.map(({ name, scale }) => ({ name, scale })),
        onDispose: async () => {
          await completion.dispose();
          // The draft before the target: a draft still running against a disposed target throws.
          for (const model of models.reverse()) await model.dispose();
        },
      });
    } catch (error) {
      for (const model of models.reverse()) await model.dispose();
      throw error;
    }
  }

  /** Greedy unless `sampling` is given. Stop strings cut the text; the engine still runs to its own end. */
  async complete(
    request: FimRequest,
    signal?: AbortSignal,
    onChunk?: (text: string) => void,
  ): Promise<BackendCompletion> {
    this.assertLive();
    this.checkAdapters(request.adapters);
    const stops = new StopTextFilter(request.stop ?? [], onChunk);
    const result = await this.completion.complete(
      {
        // Each request its own document: a backend's requests never cancel each other.
        document: `coop:backend:${this.requestCount++}`,
        path: request.path ?? "untitled",
        prefix: request.prefix,
        suffix: request.suffix,
        chunks: request.chunks ?? [],
        projectName: request.projectName ?? "workspace",
        // The whole budget, as a server generates it: whether one line is enough is the caller's call.
        multiline: true,
        maxTokens: request.maxTokens,
        bypassCache: true,
        ...(request.sampling ? { sampling: request.sampling } : {}),
      },
      signal,
      (piece) => stops.push(piece),
    );
    stops.finish();
    const stats = result.stats!;
    const stopReason: StopReason = stops.stopped
      ? "stop"
      : stats.generatedTokens >= request.maxTokens
        ? "limit"
        : "eos";
    return { text: stops.text, stopReason, stats };
  }

  /** Greedy only. Aborting resolves with the text so far and stopReason "aborted". */
  async chat(
    request: ChatRequest,
    signal?: AbortSignal,
    onText?: (text: string) => void,
  ): Promise<BackendChatAnswer> {
    this.assertLive();
    this.checkAdapters(request.adapters);
    if (request.sampling)
      throw new UnsupportedRequestError(
        "The local engine answers chat greedily: leave out sampling for chat requests",
      );
    const template = await this.chatTemplate();
    const system = request.messages
      .filter((message) => message.role === "system")
      .map((message) => message.content)
      .join("\n\n");
    const turns = request.messages.filter((message): message is ChatTurn => message.role !== "system");
    if (turns.at(-1)?.role !== "user")
      throw new UnsupportedRequestError("A conversation must end with a user message");
    const prompt = template.render(system, turns);
    const contextSize = this.completion.contextSize;
    if (prompt.length + request.maxTokens > contextSize) {
      throw new UnsupportedRequestError(
        `The conversation takes ${prompt.length} tokens and the answer may take ${request.maxTokens}: more than the ${contextSize} the local context holds. Shorten it or ask for fewer tokens.`,
      );
    }
    const stops = {
      tokenRuns: template.stops.tokenRuns,
      texts: [...template.stops.texts, ...(request.stop ?? [])],
    };
    let generated;
    try {
      generated = await this.completion.withSequence(chatSequenceOwner, signal, (sequence, sequenceSignal) =>
        generateAnswer(sequence, prompt, {
          maxTokens: request.maxTokens,
          stops,
          signal: sequenceSignal,
          onText,
        }),
      );
    } catch (error) {
      // Aborted while another request held the sequence: nothing was generated.
      if (error instanceof CompletionAbortedError) {
        return {
          text: "",
          stopReason: "aborted",
          stats: {
            promptTokens: 0,
            reusedPromptTokens: 0,
            generatedTokens: 0,
            drafted: 0,
            validated: 0,
            refuted: 0,
            timeToFirstTokenMs: 0,
            totalMs: 0,
          },
        };
      }
      throw error;
    }
    if (generated.stopReason !== "aborted") this.completion.stats.record(generated.stats);
    const stopReason: StopReason = generated.stopReason === "maxTokens" ? "limit" : generated.stopReason;
    return { text: generated.text, stopReason, stats: generated.stats };
  }

  stats(): BackendStats {
    const rolling = this.completion.stats;
    return {
      requests: rolling.requests,
      ...(rolling.acceptanceRate !== undefined ? { acceptanceRate: rolling.acceptanceRate } : {}),
      ...(rolling.tokensPerSecond !== undefined ? { tokensPerSecond: rolling.tokensPerSecond } : {}),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.options.onDispose?.();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error("The local backend was disposed");
  }

  /** A request may name the adapters the context applies (zero scales left out), nothing else. */
  private checkAdapters(requested: readonly AdapterSelection[] | undefined): void {
    if (requested === undefined) return;
    const loaded = this.options.adapters ?? [];
    if (sameSelection(requested, loaded)) return;
    throw new UnsupportedRequestError(
      `The local engine applies LoRA adapters when it loads a variant (${describeSelection(loaded)}); a request cannot switch to ${describeSelection(requested)}. Swap to a variant with those adapters instead.`,
    );
  }

  private chatTemplate(): Promise<ChatTemplate> {
    this.template ??= chatTemplateOf(this.completion.model).catch((error: unknown) => {
      this.template = undefined;
      throw error;
    });
    return this.template;
  }
}

function sameSelection(a: readonly AdapterSelection[], b: readonly AdapterSelection[]): boolean {
  const key = (selection: readonly AdapterSelection[]) =>
    selection
      .filter((adapter) => adapter.scale !== 0)
      .map((adapter) => `${adapter.name}@${adapter.scale}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

function describeSelection(selection: readonly AdapterSelection[]): string {
  const active = selection.filter((adapter) => adapter.scale !== 0);
  return active.length === 0
    ? "none"
    : active.map((adapter) => `${adapter.name} at ${adapter.scale}`).join(", ");
}
