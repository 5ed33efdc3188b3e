import {
  LlamaServerBackend,
  VllmBackend,
  type RemoteHttpOptions,
  type ServerBackend,
} from "../backends/index.js";
import type { ResolvedRemoteVariant } from "../catalog/index.js";
import { CompletionCache } from "../completion/index.js";
import type { ProgressListener } from "../host/contract/index.js";
import type { EngineLog } from "./localVariant.js";
import type { LoadedVariant } from "./loadedVariant.js";
import { answerOnServer } from "./remoteChat.js";
import { estimateTokens } from "./remoteChatMessages.js";
import { RemoteCompletionGenerator } from "./remoteGenerator.js";

/** When neither the server nor the catalog says how long the model's context is. */
const fallbackContextSize = 4096;

export interface RemoteVariantsOptions {
  onLog?: EngineLog;
  /** The API key of a server (by its normalized URL), held in memory by the caller. */
  apiKeyFor?: (endpoint: string) => string | undefined;
  /** Timeouts and retries of the HTTP client (tests shorten them). */
  http?: Pick<RemoteHttpOptions, "requestTimeoutMs" | "idleTimeoutMs" | "retries" | "retryBaseDelayMs">;
}

/** One server connection, shared by every variant on the same server, model and key. */
interface Connection {
  key: string;
  backend: ServerBackend;
  /** Tokens of one request's context, as the server reports it. */
  contextSize?: number;
  speculative: boolean;
  /** The answers of every variant served on this connection, by variant. */
  cache: CompletionCache;
}

/**
 * Variants that run on an inference server (llama-server, vLLM). Variants on the same server and
 * model share one connection: swapping between them reloads nothing, each request names its adapters.
 */
export class RemoteVariants {
  private connection: Connection | undefined;

  constructor(private readonly options: RemoteVariantsOptions = {}) {}

  /** The backend of the open connection (the same object across swaps on one server). */
  get backend(): ServerBackend | undefined {
    return this.connection?.backend;
  }

  async connect(
    resolved: ResolvedRemoteVariant,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<LoadedVariant> {
    const { variant, remote } = resolved;
    const adapters = remote.adapters.map(({ name, scale }) => ({ name, scale }));
    const apiKey = this.options.apiKeyFor?.(remote.url);
    const fim = resolved.targetModel.fim;
    // The key is part of what makes a connection: a new key connects anew. It stays in memory.
    const key = JSON.stringify([remote.kind, remote.url, remote.model ?? "", apiKey ?? "", fim ?? null]);
    const reused = this.connection?.key === key;
    let connection: Connection;
    if (reused) {
      connection = this.connection!;
      await connection.backend.checkAdapters(adapters, signal);
    } else {
      onProgress?.({ phase: "load", message: `connecting to ${remote.kind} at ${remote.url}` });
      const backend: ServerBackend =
        remote.kind === "llama-server"
          ? new LlamaServerBackend({ ...this.options.http, baseUrl: remote.url, apiKey, model: remote.model })
          : new VllmBackend({
              ...this.options.http,
              baseUrl: remote.url,
              apiKey,
              model: remote.model!,
              fim: fim!,
            });
      try {
        const server = await backend.handshake(adapters, signal);
        connection = { key, backend, ...server, cache: new CompletionCache() };
      } catch (error) {
        await backend.dispose();
        throw error;
      }
      // The new server serves from now on; the old connection has no request left worth keeping.
      await this.close();
      this.connection = connection;
    }
    const where = `${remote.kind} at ${remote.url}`;
    const applied =
      adapters.length > 0
        ? `, adapters ${adapters.map((adapter) => `${adapter.name} at ${adapter.scale}`).join(", ")}`
        : "";
    const completion = new RemoteCompletionGenerator(
      connection.backend,
      variant.id,
      adapters,
      connection.cache,
    );
    const contextSize = connection.contextSize ?? resolved.targetModel.contextLength ?? fallbackContextSize;
    let chatsRunning = 0;
    const { backend } = connection;
    return {
      id: variant.id,
      where,
      state: {
        id: variant.id,
        onGpu: false,
        speculative: connection.speculative,
        notices: [
          `${variant.id} runs on ${where}${applied}${reused ? " (same server as before: only the adapters changed, nothing was reloaded)" : ""}`,
        ],
      },
      capabilities: {
        grammar: false,
        likelihood: false,
        draftRouting: false,
        contrastiveChat: false,
        selfInformation: false,
        serverSpeculation: connection.speculative,
      },
      completion,
      countTokens: estimateTokens,
      chat: async (request, cooperators, signal, onEvent) => {
        chatsRunning++;
        try {
          return await answerOnServer(
            { backend, adapters, contextSize, onLog: this.options.onLog },
            request,
            cooperators,
            signal,
            onEvent,
          );
        } finally {
          chatsRunning--;
        }
      },
      stats: () => {
        const totals = backend.stats();
        return {
          completions: totals.requests,
          sequencesInUse: completion.requestsRunning + chatsRunning,
          ...(totals.acceptanceRate !== undefined ? { acceptanceRate: totals.acceptanceRate } : {}),
          ...(totals.tokensPerSecond !== undefined ? { tokensPerSecond: totals.tokensPerSecond } : {}),
        };
      },
      // The connection outlives the variant: the next variant on the same server reuses it.
      dispose: () => Promise.resolve(),
    };
  }

  /** Closes the connection (a variant elsewhere is loaded, or the engine stops). */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.backend.dispose();
  }
}
