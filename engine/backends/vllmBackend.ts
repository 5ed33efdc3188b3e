import type { ContextChunk } from "../completion/fimPrompt.js";
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
import { statsFromOpenAiUsage, stopReasonOf } from "./remoteStats.js";

/** The model's FIM control tokens as text (models.json `fim`), with the repo-level ones when it has them. */
export interface FimTokenTexts {
  prefix: string;
  suffix: string;
  middle: string;
  repoName?: string;
  fileSeparator?: string;
}

export interface VllmBackendOptions extends Omit<RemoteHttpOptions, "serverName"> {
  /** The served base model's name (vLLM's --served-model-name, or the model path it was started with). */
  model: string;
  /** vLLM has no infill endpoint: Coop lays the FIM prompt out as text with these tokens. */
  fim: FimTokenTexts;
  /** The adapter for requests that name none (the variant's); absent: the base model. */
  defaultAdapters?: readonly AdapterSelection[];
}

const serverName = "vLLM";

/**
 * vLLM's OpenAI-compatible server as a Coop backend: FIM as a text prompt through /v1/completions,
 * chat through /v1/chat/completions. vLLM picks a LoRA adapter by the request's `model` field (the
 * name given to --lora-modules), one adapter per request at its trained strength.
 */
export class VllmBackend implements ServerBackend {
  readonly kind = "vllm" as const;
  private readonly http: RemoteHttpClient;
  private readonly rolling = new RollingStats();

  constructor(private readonly options: VllmBackendOptions) {
    this.http = new RemoteHttpClient({ ...options, serverName });
  }

  get endpoint(): string {
    return this.http.endpoint;
  }

  /**
   * Checks that the server serves the base model and every adapter named; lists what it serves and the
   * model's context length.
   */
  async verify(
    adapterNames: readonly string[] = [],
    signal?: AbortSignal,
  ): Promise<{ models: string[]; contextSize?: number }> {
    const listed = await this.http.json<{ data?: { id: string; max_model_len?: number | null }[] }>(
      "GET",
      "/v1/models",
      undefined,
      { signal, retry: "idempotent" },
    );
    const models = (listed.data ?? []).map((model) => model.id);
    const contextSize = listed.data?.find((model) => model.id === this.options.model)?.max_model_len;
    for (const wanted of [this.options.model, ...adapterNames]) {
      if (!models.includes(wanted)) {
        throw new RemoteEngineError(
          "unknown-model",
          this.http.endpoint,
          `vLLM at ${this.http.endpoint} does not serve "${wanted}" (it serves ${models.length > 0 ? models.join(", ") : "nothing"}): fix the name in models.json, or start vLLM with --lora-modules ${wanted}=PATH for an adapter`,
        );
      }
    }
    return { models, ...(typeof contextSize === "number" && contextSize > 0 ? { contextSize } : {}) };
  }

  async handshake(adapters: readonly AdapterSelection[], signal?: AbortSignal): Promise<ServerHandshake> {
    const verified = await this.verify(
      adapters.map((adapter) => adapter.name),
      signal,
    );
    // vLLM's speculative decoding is not visible through its OpenAI API.
    return {
      ...(verified.contextSize === undefined ? {} : { contextSize: verified.contextSize }),
      speculative: false,
    };
  }

  async checkAdapters(adapters: readonly AdapterSelection[], signal?: AbortSignal): Promise<void> {
    await this.verify(
      adapters.map((adapter) => adapter.name),
      signal,
    );
  }

  async complete(
    request: FimRequest,
    signal?: AbortSignal,
    onChunk?: (text: string) => void,
  ): Promise<BackendCompletion> {
    const startedAt = Date.now();
    const body: Record<string, unknown> = {
      model: this.modelFor(request.adapters),
      prompt: vllmFimPrompt(request, this.options.fim),
      max_tokens: request.maxTokens,
      ...samplingFields(request.sampling),
      ...(request.stop?.length ? { stop: [...request.stop] } : {}),
      stream_options: { include_usage: true },
    };
    const result = await streamOpenAi(this.http, serverName, "/v1/completions", body, signal, onChunk);
    const stats = statsFromOpenAiUsage(
      result.usage,
      { startedAt, firstTextAt: result.firstTextAt, endedAt: Date.now() },
      0,
    );
    this.rolling.record(stats);
    return {
      text: result.text,
      stopReason: stopReasonOf(result.finishReason, typeof result.stopMatched === "string"),
      stats,
    };
  }

  async chat(
    request: ChatRequest,
    signal?: AbortSignal,
    onText?: (text: string) => void,
  ): Promise<BackendChatAnswer> {
    const startedAt = Date.now();
    const body: Record<string, unknown> = {
      model: this.modelFor(request.adapters),
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      max_tokens: request.maxTokens,
      ...samplingFields(request.sampling),
      ...(request.stop?.length ? { stop: [...request.stop] } : {}),
      stream_options: { include_usage: true },
    };
    const partial: OpenAiStreamResult = { text: "" };
    let aborted = false;
    try {
      await streamOpenAi(this.http, serverName, "/v1/chat/completions", body, signal, onText, partial);
    } catch (error) {
      if (!(error instanceof RemoteAbortedError)) throw error;
      aborted = true;
    }
    const stats = statsFromOpenAiUsage(
      partial.usage,
      { startedAt, firstTextAt: partial.firstTextAt, endedAt: Date.now() },
      0,
    );
    if (!aborted) this.rolling.record(stats);
    return {
      text: partial.text,
      stopReason: aborted
        ? "aborted"
        : stopReasonOf(partial.finishReason, typeof partial.stopMatched === "string"),
      stats,
    };
  }

  stats(): BackendStats {
    return {
      requests: this.rolling.requests,
      ...(this.rolling.tokensPerSecond !== undefined
        ? { tokensPerSecond: this.rolling.tokensPerSecond }
        : {}),
    };
  }

  async dispose(): Promise<void> {}

  /** The `model` field: the one adapter applied (by its --lora-modules name), else the base model. */
  private modelFor(requested: readonly AdapterSelection[] | undefined): string {
    const active = (requested ?? this.options.defaultAdapters ?? []).filter((adapter) => adapter.scale !== 0);
    if (active.length === 0) return this.options.model;
    if (active.length > 1) {
      throw new RemoteEngineError(
        "unknown-adapter",
        this.http.endpoint,
        `vLLM applies one LoRA adapter per request, and this variant asks for ${active.map((adapter) => adapter.name).join(" + ")}: merge them into one adapter (coop merge) or pick one`,
      );
    }
    if (active[0]!.scale !== 1) {
      throw new RemoteEngineError(
        "unknown-adapter",
        this.http.endpoint,
        `vLLM applies LoRA adapters at full strength only, and this variant asks for ${active[0]!.name} at scale ${active[0]!.scale}: use scale 1 or merge a scaled adapter`,
      );
    }
    return active[0]!.name;
  }
}

/**
 * The FIM prompt as text. With repo-level tokens (Qwen2.5-Coder) the chunks become files of the
 * repository before the current one; without them they are prepended as plain text, as llama-server's
 * /infill does.
 */
export function vllmFimPrompt(
  request: Pick<FimRequest, "prefix" | "suffix" | "chunks" | "path" | "projectName">,
  fim: FimTokenTexts,
): string {
  const chunks: readonly ContextChunk[] = request.chunks ?? [];
  const infill = `${fim.prefix}${request.prefix}${fim.suffix}${request.suffix}${fim.middle}`;
  if (fim.repoName !== undefined && fim.fileSeparator !== undefined) {
    const files = chunks.map((chunk) => `${fim.fileSeparator}${chunk.path}\n${chunk.text}\n`).join("");
    return `${fim.repoName}${request.projectName ?? "workspace"}\n${files}${fim.fileSeparator}${request.path ?? "untitled"}\n${infill}`;
  }
  return `${chunks.map((chunk) => `${chunk.path}\n${chunk.text}\n\n`).join("")}${infill}`;
}

function samplingFields(
  sampling: { temperature: number; seed?: number } | undefined,
): Record<string, unknown> {
  if (!sampling) return { temperature: 0 };
  return {
    temperature: sampling.temperature,
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
  };
}
