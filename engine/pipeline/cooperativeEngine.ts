import { ChatRequestError } from "../chat/index.js";
import { loadCatalog, resolveRemoteVariant, UnknownVariantError } from "../catalog/index.js";
import { WorkspaceCooperators } from "../cooperators/index.js";
import type {
  CatalogVariantRequest,
  ChatEventListener,
  ChunkListener,
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
  WorkspaceChange,
  WorkspaceRequest,
} from "../host/contract/index.js";
import { checkWorkspaceRoot } from "../workspace/index.js";
import { capabilityName, requireCapability, type VariantCapability } from "./capabilities.js";
import { CompletionScheduler } from "./completionScheduler.js";
import {
  completeOnTarget,
  completeRouted,
  type CompletionContext,
  type WarmingDraft,
} from "./completionPaths.js";
import { downloadVariantModels } from "./downloadVariantModels.js";
import type { LoadedVariant } from "./loadedVariant.js";
import { loadLocalVariant, resolveLocalSpec, type EngineLog } from "./localVariant.js";
import { RemoteVariants, type RemoteVariantsOptions } from "./remoteVariants.js";
import {
  boundChatRequest,
  boundCompletionRequest,
  RequestInputError,
  withTrimmedInput,
} from "./requestLimits.js";
import { StageClock } from "./stageClock.js";
import { VariantSlot, type VariantStatus } from "./variantSlot.js";

export interface CooperativeEngineOptions {
  onLog?: EngineLog;
  /** The API key of a server (by its normalized URL), held in memory by the caller. */
  apiKeyFor?: (endpoint: string) => string | undefined;
  /** Timeouts and retries of the HTTP client of remote variants (tests shorten them). */
  remoteHttp?: RemoteVariantsOptions["http"];
  /** Told each change of the variant's phase. */
  onVariantStatus?: (status: VariantStatus) => void;
}

/**
 * Coop's one pipeline, whatever runs the model: node-llama-cpp in this process or an inference server
 * (llama-server, vLLM). It grounds prompts in the workspace, answers from the cache and typing-through,
 * supersedes a document's older completion, checks suggestions with the detector under the policy,
 * and runs the ensembles; each variant declares what its backend can do, and the pipeline decides from
 * that alone. The variant itself lives in one state machine (VariantSlot).
 */
export class CooperativeEngine implements CoopEngine {
  private readonly slot: VariantSlot;
  private readonly remote: RemoteVariants;
  private cooperators: WorkspaceCooperators | undefined;
  /** The workspace's completions, queued and superseded per document. */
  private readonly completions = new CompletionScheduler();
  /** Capabilities a setting asked of a variant that lacks them, said once per variant. */
  private readonly toldLacking = new Set<string>();

  constructor(private readonly options: CooperativeEngineOptions = {}) {
    this.slot = new VariantSlot(options.onVariantStatus);
    this.remote = new RemoteVariants({
      onLog: options.onLog,
      apiKeyFor: options.apiKeyFor,
      http: options.remoteHttp,
    });
  }

  /** Where the variant is in its life (absent, switching, downloading, loading, ready, failed). */
  get variantStatus(): VariantStatus {
    return this.slot.variantStatus;
  }

  /** The backend of the open server connection, when a remote variant was loaded (diagnostics, tests). */
  get remoteBackend(): RemoteVariants["backend"] {
    return this.remote.backend;
  }

  /** Loads a variant given by its model files, in this process. */
  loadVariant(spec: VariantSpec, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState> {
    return this.slot.replace(
      {
        id: spec.id,
        resolve: () => Promise.resolve(spec),
        afterUnload: () => this.remote.close(),
        load: (resolved, warm) => this.loadLocal(resolved, signal, onProgress, warm),
      },
      signal,
    );
  }

  /** Loads a catalog variant: its files resolved (built, merged) and loaded here, or its server reached. */
  loadCatalogVariant(
    request: CatalogVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    // Queued at once, so requests sent after this call wait for it.
    return this.slot.replace(
      {
        id: request.variantId,
        resolve: async (resolveSignal) => {
          const read = await loadCatalog(request.catalogFiles);
          const variant = read.variants.get(request.variantId);
          if (!variant) throw new UnknownVariantError(request.variantId, read);
          if (variant.remote) return { remote: resolveRemoteVariant(read, request.variantId) };
          await this.remote.close();
          return { local: await resolveLocalSpec(request, resolveSignal, onProgress) };
        },
        load: (resolved, warm) =>
          resolved.remote
            ? this.remote.connect(resolved.remote, signal, onProgress)
            : this.loadLocal(resolved.local, signal, onProgress, warm),
      },
      signal,
    );
  }

  async complete(
    asked: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const { request, trimmed } = boundCompletionRequest(asked);
    const clock = new StageClock();
    const answer = await this.completions.run(request.document, signal, (scheduled) =>
      this.slot.run(
        scheduled,
        (leased, variant, warming) => {
          clock.waitedUntilNow();
          if (request.grammar !== undefined && variant)
            requireCapability(variant.capabilities, "grammar", variant.id, variant.where);
          const context: CompletionContext = {
            variant,
            warming,
            cooperators: this.cooperators,
            clock,
            untilTarget: () => this.slot.untilLoaded(leased),
            lacking: (lacks, capability, instead) => this.sayLacking(lacks, capability, instead),
          };
          return request.ensemble
            ? completeRouted(context, request, leased, onChunk)
            : completeOnTarget(context, variant!, request, leased, onChunk);
        },
        request.ensemble !== undefined,
      ),
    );
    // The extension logs these with its own stages (debounce, the RPC) at debug level.
    const timings = clock.read();
    return withTrimmedInput({ ...answer, timings }, trimmed);
  }

  async chat(
    asked: EngineChatRequest,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    const { request, trimmed } = boundChatRequest(asked);
    const answer = await this.slot.run(signal, (leased, variant) => {
      const loaded = variant!;
      if (request.contrastive && !loaded.capabilities.contrastiveChat) throw contrastiveRefusal(loaded);
      return loaded.chat(request, this.cooperators, leased, onEvent);
    });
    return withTrimmedInput(answer, trimmed);
  }

  downloadVariant(
    request: DownloadVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<{ downloaded: string[]; bytes: number }> {
    return downloadVariantModels(request, signal, onProgress);
  }

  async openWorkspace(request: WorkspaceRequest): Promise<{ files: number }> {
    await checkWorkspaceRoot(request.root);
    const opened = await WorkspaceCooperators.open(request.root, request.cacheDir);
    const previous = this.cooperators;
    this.cooperators = opened;
    await previous?.dispose();
    return { files: opened.fileCount };
  }

  /** Changes for a workspace that is not (or no longer) open are ignored: the next index reads the disk. */
  async workspaceChanged(change: WorkspaceChange): Promise<{ applied: number; ignored: string[] }> {
    if (typeof change !== "object" || (change as unknown) === null)
      throw new RequestInputError("change", "A workspace change must be an object");
    return (await this.cooperators?.applyChanges(change)) ?? { applied: 0, ignored: [] };
  }

  stats(): Promise<EngineStats> {
    const stats = this.slot.loaded?.stats();
    return Promise.resolve({
      completions: stats?.completions ?? 0,
      sequencesInUse: stats?.sequencesInUse ?? 0,
      ...(stats?.acceptanceRate === undefined ? {} : { acceptanceRate: stats.acceptanceRate }),
      ...(stats?.tokensPerSecond === undefined ? {} : { tokensPerSecond: stats.tokensPerSecond }),
      ...(stats?.cascadeEscalationRate === undefined
        ? {}
        : { cascadeEscalationRate: stats.cascadeEscalationRate }),
    });
  }

  memory(): Promise<EngineMemory> {
    const usage = process.memoryUsage();
    return Promise.resolve({ rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
  }

  async dispose(): Promise<void> {
    await this.slot.dispose();
    await this.remote.close();
    await this.cooperators?.dispose();
    this.cooperators = undefined;
  }

  private loadLocal(
    spec: VariantSpec,
    signal: AbortSignal | undefined,
    onProgress: ProgressListener | undefined,
    warm: (draft: WarmingDraft) => void,
  ): Promise<LoadedVariant> {
    return loadLocalVariant(spec, {
      signal,
      onProgress,
      onLog: this.options.onLog,
      onDraftReady: warm,
    });
  }

  private sayLacking(variant: LoadedVariant, capability: VariantCapability, instead: string): void {
    const key = `${variant.id}\0${capability}`;
    if (this.toldLacking.has(key)) return;
    this.toldLacking.add(key);
    this.options.onLog?.(
      "info",
      `variant ${variant.id} runs on ${variant.where}, which cannot serve ${capabilityName(capability)}: ${instead}`,
    );
  }
}

function contrastiveRefusal(variant: LoadedVariant): ChatRequestError {
  return new ChatRequestError(
    variant.where === "this process"
      ? "Contrastive decoding needs a variant with a draft model (the amateur); this variant has none"
      : `Contrastive decoding needs the draft and the target in this process; variant ${variant.id} runs on ${variant.where}`,
  );
}
