import { RollingStats } from "../completion/stats.js";
import type {
  AdapterSelection,
  BackendChatAnswer,
  BackendCompletion,
  BackendStats,
  ChatRequest,
  FimRequest,
  ServerBackend,
  ServerHandshake,
} from "./backend.js";
import { RemoteAbortedError, RemoteEngineError } from "./errors.js";
import { RemoteHttpClient, type RemoteHttpOptions } from "./httpClient.js";
import { streamOpenAi, type OpenAiStreamResult } from "./openAiStream.js";
import { statsFromLlamaServerTimings, stopReasonOf, type LlamaServerTimings } from "./remoteStats.js";

export interface LlamaServerBackendOptions extends Omit<RemoteHttpOptions, "serverName"> {
  /** The model the variant expects; checked against the server's /v1/models by verify(). */
  model?: string;
  /** Adapters for requests that name none (the variant's); absent: the server's own global setting. */
  defaultAdapters?: readonly AdapterSelection[];
}

/** One LoRA adapter loaded by llama-server (GET /lora-adapters). */
export interface LlamaServerAdapter {
  id: number;
  path: string;
  scale: number;
}

interface CompletionChunk {
  content?: string;
  stop?: boolean;
  stop_type?: string;
  timings?: LlamaServerTimings;
  generation_settings?: { lora?: { id: number; scale: number }[] };
  tokens_predicted?: number;
  error?: { message?: string } | string;
}

const serverName = "llama-server";

/**
 * llama.cpp's llama-server as a Coop backend: FIM through /infill (retrieved chunks as `input_extra`,
 * which the server lays out repo-level when the model has the tokens), raw prompts through
 * /completion, chat through /v1/chat/completions, per-request LoRA scales by adapter name, and the
 * server's timings (with its speculative decoding counts when started with a draft model).
 *
 * /infill keeps `input_extra` only within the slot's context minus one batch (-b) minus twice
 * n_predict, so a server started with -c equal to -b drops every chunk: start it with e.g. -c 4096 -b
 * 1024. It names the project and the current file itself ("myproject", "filename"), so `projectName`
 * and `path` do not reach the prompt on this backend.
 */
export class LlamaServerBackend implements ServerBackend {
  readonly kind = "llama-server" as const;
  private readonly http: RemoteHttpClient;
  private readonly rolling = new RollingStats();
  private adapters: Promise<LlamaServerAdapter[]> | undefined;

  constructor(private readonly options: LlamaServerBackendOptions) {
    this.http = new RemoteHttpClient({ ...options, serverName });
  }

  get endpoint(): string {
    return this.http.endpoint;
  }

  /**
   * Checks the server is up and serves the expected model; rejects with a clear error otherwise.
   * `contextSize` is the context of one slot (-c divided among -np), when the server says.
   */
  async verify(signal?: AbortSignal): Promise<{ models: string[]; contextSize?: number }> {
    const listed = await this.http.json<{ data?: { id: string; meta?: { n_ctx?: number } }[] }>(
      "GET",
      "/v1/models",
      undefined,
      { signal, retry: "idempotent" },
    );
    const models = (listed.data ?? []).map((model) => model.id);
    const contextSize = listed.data?.[0]?.meta?.n_ctx;
    const expected = this.options.model;
    if (expected !== undefined && !models.some((id) => sameModel(id, expected))) {
      throw new RemoteEngineError(
        "unknown-model",
        this.http.endpoint,
        `llama-server at ${this.http.endpoint} serves ${models.length > 0 ? models.join(", ") : "no model"}, not ${expected}: fix the model name in models.json or start the server with that model`,
      );
    }
    return { models, ...(typeof contextSize === "number" && contextSize > 0 ? { contextSize } : {}) };
  }

  /**
   * Whether the server speculates with a draft model (its /slots say so); undefined when it does not
   * tell (started with --no-slots).
   */
  async speculates(signal?: AbortSignal): Promise<boolean | undefined> {
    let slots: { speculative?: boolean }[];
    try {
      slots = await this.http.json<{ speculative?: boolean }[]>("GET", "/slots", undefined, {
        signal,
        retry: "idempotent",
      });
    } catch (error) {
      if (error instanceof RemoteEngineError && error.failure === "http") return undefined;
      throw error;
    }
    return Array.isArray(slots) && slots.length > 0
      ? slots.some((slot) => slot.speculative === true)
      : undefined;
  }

  async handshake(adapters: readonly AdapterSelection[], signal?: AbortSignal): Promise<ServerHandshake> {
    const verified = await this.verify(signal);
    await this.checkAdapters(adapters, signal);
    return {
      ...(verified.contextSize === undefined ? {} : { contextSize: verified.contextSize }),
      speculative: (await this.speculates(signal)) ?? false,
    };
  }

  /** The adapters the server loaded (`--lora`), with their global scales. */
  async listAdapters(signal?: AbortSignal): Promise<LlamaServerAdapter[]> {
    return this.http.json<LlamaServerAdapter[]>("GET", "/lora-adapters", undefined, {
      signal,
      retry: "idempotent",
    });
  }

  /**
   * Checks that the server loaded every adapter named; rejects with an unknown-adapter error that lists what
   * it loaded.
   */
  async checkAdapters(selection: readonly AdapterSelection[], signal?: AbortSignal): Promise<void> {
    await this.loraField(selection, signal);
  }

  /** Sets the server's global adapter scales (every request without its own `lora` uses them). */
  async setGlobalAdapters(adapters: readonly AdapterSelection[], signal?: AbortSignal): Promise<void> {
    const body = await this.loraField(adapters, signal);
    await this.http.json<unknown>("POST", "/lora-adapters", body, { signal, retry: "idempotent" });
  }

  async complete(
    request: FimRequest,
    signal?: AbortSignal,
    onChunk?: (text: string) => void,
  ): Promise<BackendCompletion> {
    const body: Record<string, unknown> = {
      input_prefix: request.prefix,
      input_suffix: request.suffix,
      input_extra: (request.chunks ?? []).map((chunk) => ({ filename: chunk.path, text: chunk.text })),
      ...this.generationFields(request),
    };
    return this.generate("/infill", body, request.adapters, signal, onChunk);
  }

  /** A plain continuation of `prompt` (no FIM layout), through /completion. */
  async completePrompt(
    request: Omit<FimRequest, "prefix" | "suffix" | "chunks" | "path" | "projectName"> & { prompt: string },
    signal?: AbortSignal,
    onChunk?: (text: string) => void,
  ): Promise<BackendCompletion> {
    return this.generate(
      "/completion",
      { prompt: request.prompt, ...this.generationFields(request) },
      request.adapters,
      signal,
      onChunk,
    );
  }

  async chat(
    request: ChatRequest,
    signal?: AbortSignal,
    onText?: (text: string) => void,
  ): Promise<BackendChatAnswer> {
    const startedAt = Date.now();
    const body: Record<string, unknown> = {
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      max_tokens: request.maxTokens,
      ...samplingFields(request.sampling),
      ...(request.stop?.length ? { stop: [...request.stop] } : {}),
      ...(this.options.model ? { model: this.options.model } : {}),
      stream_options: { include_usage: true },
      timings_per_token: false,
    };
    const lora = await this.loraFor(request.adapters, signal);
    if (lora) body.lora = lora;
    const partial: OpenAiStreamResult = { text: "" };
    let aborted = false;
    try {
      await streamOpenAi(this.http, serverName, "/v1/chat/completions", body, signal, onText, partial);
    } catch (error) {
      if (!(error instanceof RemoteAbortedError)) throw error;
      aborted = true;
    }
    const clock = { startedAt, firstTextAt: partial.firstTextAt, endedAt: Date.now() };
    const stats = statsFromLlamaServerTimings(partial.timings, clock, partial.usage?.completion_tokens ?? 0);
    if (!aborted) this.rolling.record(stats);
    return {
      text: partial.text,
      stopReason: aborted ? "aborted" : stopReasonOf(partial.finishReason, false),
      stats,
    };
  }

  stats(): BackendStats {
    return {
      requests: this.rolling.requests,
      ...(this.rolling.acceptanceRate !== undefined ? { acceptanceRate: this.rolling.acceptanceRate } : {}),
      ...(this.rolling.tokensPerSecond !== undefined
        ? { tokensPerSecond: this.rolling.tokensPerSecond }
        : {}),
    };
  }

  dispose(): Promise<void> {
    this.adapters = undefined;
    return Promise.resolve();
  }

  private generationFields(
    request: Pick<FimRequest, "maxTokens" | "stop" | "sampling">,
  ): Record<string, unknown> {
    return {
      n_predict: request.maxTokens,
      ...samplingFields(request.sampling),
      ...(request.stop?.length ? { stop: [...request.stop] } : {}),
      cache_prompt: true,
      // The prompt echoed back in the final chunk is as long as the request: not needed.
      return_tokens: false,
    };
  }

  private async generate(
    path: string,
    fields: Record<string, unknown>,
    adapters: readonly AdapterSelection[] | undefined,
    signal: AbortSignal | undefined,
    onChunk: ((text: string) => void) | undefined,
  ): Promise<BackendCompletion> {
    const startedAt = Date.now();
    const body: Record<string, unknown> = { ...fields, stream: true };
    const lora = await this.loraFor(adapters, signal);
    if (lora) body.lora = lora;
    let text = "";
    let firstTextAt: number | undefined;
    let last: CompletionChunk | undefined;
    await this.http.stream(path, body, signal, (event) => {
      let chunk: CompletionChunk;
      try {
        chunk = JSON.parse(event.data) as CompletionChunk;
      } catch {
        throw new RemoteEngineError(
          "bad-response",
          this.http.endpoint,
          `llama-server at ${this.http.endpoint} streamed something that is not JSON on ${path}: ${event.data.slice(0, 200)}`,
        );
      }
      if (event.event === "error" || chunk.error) {
        const message = typeof chunk.error === "string" ? chunk.error : (chunk.error?.message ?? event.data);
        throw new RemoteEngineError(
          "http",
          this.http.endpoint,
          `llama-server at ${this.http.endpoint} failed ${path} while generating: ${message}`,
        );
      }
      if (chunk.content) {
        firstTextAt ??= Date.now();
        text += chunk.content;
        onChunk?.(chunk.content);
      }
      if (chunk.stop) {
        last = chunk;
        return true;
      }
      return false;
    });
    if (!last) {
      throw new RemoteEngineError(
        "interrupted",
        this.http.endpoint,
        `llama-server at ${this.http.endpoint} ended the stream of ${path} before the generation finished; the server may have stopped`,
      );
    }
    const final: CompletionChunk = last;
    const stats = statsFromLlamaServerTimings(
      final.timings,
      { startedAt, firstTextAt, endedAt: Date.now() },
      final.tokens_predicted ?? 0,
    );
    this.rolling.record(stats);
    const applied = final.generation_settings?.lora;
    return {
      text,
      stopReason: stopReasonOf(final.stop_type, false),
      stats,
      ...(applied
        ? { appliedAdapters: applied.map((adapter) => ({ id: adapter.id, scale: adapter.scale })) }
        : {}),
    };
  }

  /** The request's `lora` field: the requested (or default) adapters by id, every other loaded one at 0. */
  private async loraFor(
    requested: readonly AdapterSelection[] | undefined,
    signal?: AbortSignal,
  ): Promise<{ id: number; scale: number }[] | undefined> {
    const selection = requested ?? this.options.defaultAdapters;
    if (selection === undefined) return undefined;
    return this.loraField(selection, signal);
  }

  private async loraField(
    selection: readonly AdapterSelection[],
    signal?: AbortSignal,
  ): Promise<{ id: number; scale: number }[]> {
    this.adapters ??= this.listAdapters(signal).catch((error: unknown) => {
      this.adapters = undefined;
      throw error;
    });
    const loaded = await this.adapters;
    const scales = new Map<number, number>(loaded.map((adapter) => [adapter.id, 0]));
    for (const wanted of selection) {
      const match = loaded.find((adapter) => adapterMatches(adapter, wanted.name));
      if (!match) {
        const names = loaded.map((adapter) => `${adapterName(adapter)} (id ${adapter.id})`);
        throw new RemoteEngineError(
          "unknown-adapter",
          this.http.endpoint,
          `llama-server at ${this.http.endpoint} has no LoRA adapter "${wanted.name}" (it loaded ${names.length > 0 ? names.join(", ") : "none; start it with --lora FILE"}): fix the adapter name in models.json`,
        );
      }
      scales.set(match.id, wanted.scale);
    }
    // Every loaded adapter is listed: an empty list would make the server fall back to its global scales.
    return [...scales].map(([id, scale]) => ({ id, scale }));
  }
}

/** An adapter's name: its file name without folder and `.gguf`. */
export function adapterName(adapter: LlamaServerAdapter): string {
  return (adapter.path.split(/[\\/]/).pop() ?? adapter.path).replace(/\.gguf$/i, "");
}

function adapterMatches(adapter: LlamaServerAdapter, name: string): boolean {
  return (
    name === adapter.path ||
    name === adapterName(adapter) ||
    name === `${adapterName(adapter)}.gguf` ||
    name === String(adapter.id)
  );
}

function sameModel(served: string, expected: string): boolean {
  const base = (id: string): string => (id.split(/[\\/]/).pop() ?? id).replace(/\.gguf$/i, "");
  return served === expected || base(served) === base(expected);
}

function samplingFields(
  sampling: { temperature: number; seed?: number } | undefined,
): Record<string, unknown> {
  if (!sampling) return { temperature: 0, top_k: 1 };
  return {
    temperature: sampling.temperature,
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
  };
}
