import {
  LlamaServerBackend,
  UnsupportedRequestError,
  VllmBackend,
  type AdapterSelection,
  type RemoteHttpOptions,
} from "../../backends/index.js";
import { loadCatalog, resolveRemoteVariant, type ResolvedRemoteVariant } from "../../catalog/index.js";
import {
  checkCodeBlocks,
  ChatRequestError,
  codeOnlyClosing,
  codeOnlyInstructions,
  defaultChatMaxTokens,
  extractCodeBlocks,
  isWorkspaceRelative,
  retrieveSources,
} from "../../chat/index.js";
import {
  CompletionCache,
  answerFromCache,
  defaultCompletionEngineOptions,
  postprocessCompletion,
  wantsMultiline,
  type CompletionResult,
} from "../../completion/index.js";
import { WorkspaceCooperators } from "../../cooperators/index.js";
import { applyPolicy, detect } from "../../detector/index.js";
import { downloadVariantModels } from "./downloadVariantModels.js";
import { boundChatRequest, boundCompletionRequest, withTrimmedInput } from "./requestLimits.js";
import type {
  CatalogVariantRequest,
  ChatEventListener,
  ChunkListener,
  CompletionCheck,
  CoopEngine,
  DownloadVariantRequest,
  EngineChatAnswer,
  EngineChatRequest,
  EngineCompletion,
  EngineCompletionRequest,
  EngineMemory,
  EngineStats,
  ProgressListener,
  VariantSpec,
  VariantState,
  WorkspaceRequest,
} from "../contract/engineApi.js";
import { buildRemoteChatMessages, estimateTokens } from "./remoteChatMessages.js";

/** Tokens of retrieved workspace code in a completion prompt (as in the local engine). */
const contextBudgetTokens = 512;
/** Tokens of attachments and sources in a chat prompt at most. */
const maxGroundingTokens = 2048;
/** When neither the server nor the catalog says how long the model's context is. */
const fallbackContextSize = 4096;

export interface RemoteVariantEngineOptions {
  onLog?: (level: string, message: string) => void;
  /** The API key of a server (by its normalized URL), held in memory by the caller. */
  apiKeyFor?: (endpoint: string) => string | undefined;
  /** Timeouts and retries of the HTTP client (tests shorten them). */
  http?: Pick<RemoteHttpOptions, "requestTimeoutMs" | "idleTimeoutMs" | "retries" | "retryBaseDelayMs">;
}

type RemoteBackend = LlamaServerBackend | VllmBackend;

/** One server connection, shared by every variant on the same server, model and key. */
interface Connection {
  key: string;
  backend: RemoteBackend;
  /** Tokens of one request's context, as the server reports it. */
  contextSize?: number;
  speculative: boolean;
}

interface ActiveVariant {
  resolved: ResolvedRemoteVariant;
  /** Sent with every request: swapping variants on one server changes only these. */
  adapters: AdapterSelection[];
  connection: Connection;
}

/**
 * The engine for variants that run on an inference server (llama-server, vLLM): completions and chat
 * are generated there, while the cooperators run here as for a local variant (the retriever grounds
 * the prompts in the workspace, the detector checks what comes back). Variants on the same server and
 * model share one connection: swapping between them reloads nothing, each request names its adapters.
 */
export class RemoteVariantEngine implements CoopEngine {
  private connection: Connection | undefined;
  private current: ActiveVariant | undefined;
  private loading: Promise<VariantState> | undefined;
  private cooperators: WorkspaceCooperators | undefined;
  private readonly cache = new CompletionCache();
  private readonly inFlight = new Map<string, AbortController>();
  private requestsRunning = 0;
  private repairNoticeShown = false;

  constructor(private readonly options: RemoteVariantEngineOptions = {}) {}

  /** The backend serving the active variant (the same object across swaps on one server). */
  get backend(): RemoteBackend | undefined {
    return this.current?.connection.backend;
  }

  loadVariant(spec: VariantSpec): Promise<VariantState> {
    return Promise.reject(
      new Error(
        `Variant ${spec.id} is given by its model files, which load in this process; the remote engine serves only catalog variants with a "remote" server`,
      ),
    );
  }

  async loadCatalogVariant(
    request: CatalogVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    const previous = this.loading ?? Promise.resolve(undefined);
    const load = previous
      .catch(() => undefined)
      .then(async () =>
        this.useVariant(
          resolveRemoteVariant(await loadCatalog(request.catalogFiles), request.variantId),
          signal,
          onProgress,
        ),
      );
    this.loading = load;
    try {
      return await load;
    } finally {
      if (this.loading === load) this.loading = undefined;
    }
  }

  async complete(
    asked: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const { request, trimmed } = boundCompletionRequest(asked);
    const current = await this.ready();
    if (request.grammar !== undefined) {
      throw new UnsupportedRequestError(
        `Variant ${current.resolved.variant.id} runs on ${describeServer(current)}: grammar-constrained completions need the model in this process`,
      );
    }
    const cooperators = this.cooperators;
    const known = this.answerWithoutGenerating(current, request);
    const chunks =
      request.chunks ??
      (cooperators && !known
        ? await cooperators.contextFor(request, request.cursorLine, contextBudgetTokens)
        : []);
    const result = known ?? (await this.generate(current, { ...request, chunks }, signal, onChunk));
    const completion = withTrimmedInput<EngineCompletion>(
      { ...result, contextChunks: chunks.length },
      trimmed,
    );
    if (!request.check || !cooperators || request.check.policy === "off" || result.text === "")
      return completion;
    const check = await this.check(current, request, result.text, cooperators);
    return { ...completion, check };
  }

  async chat(
    asked: EngineChatRequest,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    const { request, trimmed } = boundChatRequest(asked);
    const current = await this.ready();
    if (request.contrastive) {
      throw new ChatRequestError(
        `Contrastive decoding needs the draft and the target in this process; variant ${current.resolved.variant.id} runs on ${describeServer(current)}`,
      );
    }
    if (signal?.aborted) return { text: "", sources: [], codeBlocks: [], stopReason: "aborted", tokens: 0 };
    const cooperators = this.cooperators;
    const contextSize =
      current.connection.contextSize ?? current.resolved.targetModel.contextLength ?? fallbackContextSize;
    const askedMaxTokens = request.maxTokens ?? defaultChatMaxTokens;
    const groundingTokens = Math.min(
      maxGroundingTokens,
      Math.floor(Math.max(0, contextSize - askedMaxTokens) / 2),
    );
    const attachments = request.attachments ?? [];
    const question = request.messages.at(-1)!.content;
    const retrieved = cooperators
      ? await retrieveSources(cooperators.retriever, question, attachments, {
          budgetTokens: groundingTokens,
          countTokens: estimateTokens,
        })
      : [];
    const codeOnly = request.codeOnly?.language;
    const prompt = buildRemoteChatMessages({
      turns: request.messages,
      attachments,
      sources: retrieved,
      maxTokens: askedMaxTokens,
      contextSize,
      groundingTokens,
      ...(codeOnly ? { instructions: codeOnlyInstructions(codeOnly) } : {}),
    });
    if (prompt.droppedTurns > 0 || prompt.cutAttachments > 0) {
      this.options.onLog?.(
        "info",
        `chat: left out the ${prompt.droppedTurns} oldest turns and cut ${prompt.cutAttachments} attachments to fit the server's context`,
      );
    }
    onEvent?.({ type: "sources", sources: prompt.sources });
    this.requestsRunning++;
    let answer;
    try {
      answer = await current.connection.backend.chat(
        { messages: prompt.messages, maxTokens: prompt.maxTokens, adapters: current.adapters },
        signal,
        (text) => onEvent?.({ type: "text", text }),
      );
    } finally {
      this.requestsRunning--;
    }
    let text = answer.text;
    if (codeOnly) {
      // Without a grammar on the server, the instructions ask for one block; a cut one is closed here.
      const closing = codeOnlyClosing(text);
      if (closing !== "") {
        text += closing;
        onEvent?.({ type: "text", text: closing });
      }
    }
    const origin = attachments.find((attachment) => isWorkspaceRelative(attachment.path));
    const check =
      request.policy !== "off" && cooperators
        ? { workspace: cooperators.detectorWorkspace, path: origin?.path }
        : undefined;
    const codeBlocks = await checkCodeBlocks(extractCodeBlocks(text), check, (message) =>
      this.options.onLog?.("warn", `chat: ${message}`),
    );
    return withTrimmedInput<EngineChatAnswer>(
      {
        text,
        sources: prompt.sources,
        codeBlocks,
        stopReason:
          answer.stopReason === "aborted" ? "aborted" : answer.stopReason === "limit" ? "maxTokens" : "eos",
        tokens: answer.stats.generatedTokens,
        ...(answer.stats.tokensPerSecond === undefined
          ? {}
          : { tokensPerSecond: answer.stats.tokensPerSecond }),
      },
      trimmed,
    );
  }

  downloadVariant(
    request: DownloadVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<{ downloaded: string[]; bytes: number }> {
    return downloadVariantModels(request, signal, onProgress);
  }

  async openWorkspace(request: WorkspaceRequest): Promise<{ files: number }> {
    const opened = await WorkspaceCooperators.open(request.root, request.cacheDir);
    const previous = this.cooperators;
    this.cooperators = opened;
    await previous?.dispose();
    return { files: opened.fileCount };
  }

  stats(): Promise<EngineStats> {
    const totals = this.current?.connection.backend.stats();
    return Promise.resolve({
      completions: totals?.requests ?? 0,
      sequencesInUse: this.requestsRunning,
      ...(totals?.acceptanceRate !== undefined ? { acceptanceRate: totals.acceptanceRate } : {}),
      ...(totals?.tokensPerSecond !== undefined ? { tokensPerSecond: totals.tokensPerSecond } : {}),
    });
  }

  memory(): Promise<EngineMemory> {
    const usage = process.memoryUsage();
    return Promise.resolve({ rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
  }

  async dispose(): Promise<void> {
    await this.loading?.catch(() => undefined);
    for (const controller of this.inFlight.values()) controller.abort();
    this.current = undefined;
    await this.connection?.backend.dispose();
    this.connection = undefined;
    await this.cooperators?.dispose();
    this.cooperators = undefined;
  }

  private async useVariant(
    resolved: ResolvedRemoteVariant,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
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
    } else {
      onProgress?.({ phase: "load", message: `connecting to ${remote.kind} at ${remote.url}` });
      const backend: RemoteBackend =
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
        connection = await connect(key, backend, adapters, signal);
      } catch (error) {
        await backend.dispose();
        throw error;
      }
      // The new server serves from now on; the old connection has no request left worth keeping.
      this.current = undefined;
      await this.connection?.backend.dispose();
      this.connection = connection;
    }
    if (reused) await checkAdapters(connection.backend, adapters, signal);
    this.current = { resolved, adapters, connection };
    const applied =
      adapters.length > 0
        ? `, adapters ${adapters.map((adapter) => `${adapter.name} at ${adapter.scale}`).join(", ")}`
        : "";
    return {
      id: variant.id,
      onGpu: false,
      speculative: connection.speculative,
      notices: [
        `${variant.id} runs on ${remote.kind} at ${remote.url}${applied}${reused ? " (same server as before: only the adapters changed, nothing was reloaded)" : ""}`,
      ],
    };
  }

  private async ready(): Promise<ActiveVariant> {
    if (this.loading) await this.loading.catch(() => undefined);
    if (!this.current) throw new Error("No model variant is loaded");
    return this.current;
  }

  private answerWithoutGenerating(
    current: ActiveVariant,
    request: EngineCompletionRequest,
  ): CompletionResult | undefined {
    return answerFromCache(this.cache, current.resolved.variant.id, request);
  }

  /** One generation on the server; a newer request for the same document cancels this one. */
  private async generate(
    current: ActiveVariant,
    request: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<CompletionResult> {
    const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
    const controller = new AbortController();
    this.inFlight.get(request.document)?.abort();
    this.inFlight.set(request.document, controller);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    this.requestsRunning++;
    try {
      const generated = await current.connection.backend.complete(
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
          adapters: current.adapters,
        },
        controller.signal,
        onChunk,
      );
      const text = postprocessCompletion(generated.text, {
        prefix: request.prefix,
        suffix: request.suffix,
        multiline,
      });
      if (!request.bypassCache && request.sampling === undefined)
        this.cache.set(current.resolved.variant.id, request.document, request.prefix, request.suffix, text);
      return { text, raw: generated.text, source: "generated", multiline, stats: generated.stats };
    } finally {
      this.requestsRunning--;
      signal?.removeEventListener("abort", onAbort);
      if (this.inFlight.get(request.document) === controller) this.inFlight.delete(request.document);
    }
  }

  /**
   * The detector's check with the policy. "repair" regenerates with a grammar of existing names, which
   * a server cannot be given here: it hides a suggestion with a certain finding, as "suppress" does.
   */
  private async check(
    current: ActiveVariant,
    request: EngineCompletionRequest,
    text: string,
    cooperators: WorkspaceCooperators,
  ): Promise<CompletionCheck> {
    const { language, policy } = request.check!;
    if (policy === "repair" && !this.repairNoticeShown) {
      this.repairNoticeShown = true;
      this.options.onLog?.(
        "info",
        `variant ${current.resolved.variant.id} runs on ${describeServer(current)}: the detector's repair policy hides suggestions with names that do not exist instead of repairing them`,
      );
    }
    const findings = await detect(text, {
      language,
      workspace: cooperators.detectorWorkspace,
      prefixContext: request.prefix,
      suffixContext: request.suffix,
      path: request.path,
    });
    const decision = applyPolicy(findings, policy === "repair" ? "suppress" : policy);
    return {
      action: decision.action === "show" ? (decision.annotations.length > 0 ? "annotate" : "show") : "hide",
      repaired: false,
      findings: decision.annotations.map((finding) => ({
        kind: finding.kind,
        name: finding.name,
        evidence: finding.evidence,
        suggestions: finding.suggestions,
      })),
    };
  }
}

/**
 * Checks that the server is there, serves the model and has the adapters; learns its context size and whether
 * it speculates.
 */
async function connect(
  key: string,
  backend: RemoteBackend,
  adapters: readonly AdapterSelection[],
  signal?: AbortSignal,
): Promise<Connection> {
  if (backend instanceof LlamaServerBackend) {
    const verified = await backend.verify(signal);
    await backend.checkAdapters(adapters, signal);
    return {
      key,
      backend,
      contextSize: verified.contextSize,
      speculative: (await backend.speculates(signal)) ?? false,
    };
  }
  const verified = await backend.verify(
    adapters.map((adapter) => adapter.name),
    signal,
  );
  return { key, backend, contextSize: verified.contextSize, speculative: false };
}

/**
 * The adapters of a variant swapped to on a server already connected: checked against what the server has,
 * nothing reloaded.
 */
async function checkAdapters(
  backend: RemoteBackend,
  adapters: readonly AdapterSelection[],
  signal?: AbortSignal,
): Promise<void> {
  if (backend instanceof LlamaServerBackend) await backend.checkAdapters(adapters, signal);
  else
    await backend.verify(
      adapters.map((adapter) => adapter.name),
      signal,
    );
}

function describeServer(current: ActiveVariant): string {
  return `${current.resolved.remote.kind} at ${current.resolved.remote.url}`;
}
