import { loadCatalog, UnknownVariantError } from "../../catalog/index.js";
import { checkWorkspaceRoot } from "../../workspace/index.js";
import { CompletionScheduler } from "./completionScheduler.js";
import { downloadVariantModels } from "./downloadVariantModels.js";
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
  WorkspaceRequest,
} from "../contract/engineApi.js";
import { InProcessEngine } from "./inProcessEngine.js";
import type { RemoteApiKey } from "../contract/remoteApiKeys.js";
import { RemoteApiKeyStore } from "./remoteApiKeyStore.js";
import { RemoteVariantEngine, type RemoteVariantEngineOptions } from "./remoteVariantEngine.js";

export type EnginePlace = "local" | "remote";

export interface DispatchingEngineOptions {
  onLog?: (level: string, message: string) => void;
  /**
   * Builds the engine of each place (tests substitute them); default InProcessEngine and RemoteVariantEngine.
   */
  createEngine?: (place: EnginePlace, apiKeyFor: (endpoint: string) => string | undefined) => CoopEngine;
  /** For the default remote engine: timeouts and retries of its HTTP client. */
  remoteHttp?: RemoteVariantEngineOptions["http"];
}

/**
 * The engine the engine host serves: per variant, it picks where the variant runs, in this process
 * (InProcessEngine, node-llama-cpp) or on an inference server (RemoteVariantEngine, for a catalog
 * variant with `remote`), and sends every request to that engine. Moving from one place to the other
 * frees everything the previous engine held and opens the workspace in the new one. It also keeps the
 * servers' API keys, in memory only, and knows how to cut them out of any text.
 */
export class DispatchingEngine implements CoopEngine {
  private active: { place: EnginePlace; engine: CoopEngine } | undefined;
  /** Set while the engine of another place replaces the active one: requests wait for it. */
  private switching: Promise<void> | undefined;
  /**
   * Set while a catalog load reads the catalog to pick its engine: requests sent after the load wait
   * for it, so they reach the engine that serves the new variant (which may answer them while the
   * variant is still loading: the draft while the target loads).
   */
  private routing: Promise<void> | undefined;
  private workspace: WorkspaceRequest | undefined;
  private readonly apiKeys = new RemoteApiKeyStore();
  /** The workspace's completions, queued and superseded (the engine host serves one workspace). */
  private readonly completions = new CompletionScheduler();

  constructor(private readonly options: DispatchingEngineOptions = {}) {}

  /** Where the active variant runs (undefined before the first load). */
  get place(): EnginePlace | undefined {
    return this.active?.place;
  }

  /** The active place's engine (for tests and diagnostics). */
  get engine(): CoopEngine | undefined {
    return this.active?.engine;
  }

  /** Replaces the API keys of remote servers; the next variant load on a server uses them. */
  setRemoteApiKeys(keys: readonly RemoteApiKey[]): { endpoints: number } {
    this.apiKeys.replace(keys);
    return { endpoints: this.apiKeys.size };
  }

  /** `text` without any API key the engine holds (for log lines and error messages leaving the process). */
  redact(text: string): string {
    return this.apiKeys.redact(text);
  }

  async loadVariant(
    spec: VariantSpec,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    return (await this.engineFor("local")).loadVariant(spec, signal, onProgress);
  }

  async loadCatalogVariant(
    request: CatalogVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    let routed!: () => void;
    const routing = new Promise<void>((resolve) => (routed = resolve));
    this.routing = routing;
    let state: Promise<VariantState>;
    try {
      const catalog = await loadCatalog(request.catalogFiles);
      const variant = catalog.variants.get(request.variantId);
      if (!variant) throw new UnknownVariantError(request.variantId, catalog);
      state = (await this.engineFor(variant.remote ? "remote" : "local")).loadCatalogVariant(
        request,
        signal,
        onProgress,
      );
    } catch (error) {
      // No engine keeps serving the variant this load replaces: requests now say none is loaded.
      const active = this.active;
      this.active = undefined;
      await active?.engine.dispose();
      throw error;
    } finally {
      // The engine has the load under way (or it failed): waiting requests go on.
      routed();
      if (this.routing === routing) this.routing = undefined;
    }
    return state;
  }

  async complete(
    request: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    return this.completions.run(request.document, signal, async (scheduled) =>
      (await this.current()).complete(request, scheduled, onChunk),
    );
  }

  async chat(
    request: EngineChatRequest,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    return (await this.current()).chat(request, signal, onEvent);
  }

  downloadVariant(
    request: DownloadVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<{ downloaded: string[]; bytes: number }> {
    return downloadVariantModels(request, signal, onProgress);
  }

  async openWorkspace(request: WorkspaceRequest): Promise<{ files: number }> {
    // Refused before it replaces the workspace that an engine of the other place would open again.
    await checkWorkspaceRoot(request.root);
    this.workspace = request;
    return (await this.current()).openWorkspace(request);
  }

  async stats(): Promise<EngineStats> {
    await this.switching?.catch(() => undefined);
    return this.active ? this.active.engine.stats() : { completions: 0, sequencesInUse: 0 };
  }

  memory(): Promise<EngineMemory> {
    const usage = process.memoryUsage();
    return Promise.resolve({ rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
  }

  async dispose(): Promise<void> {
    await this.switching?.catch(() => undefined);
    const active = this.active;
    this.active = undefined;
    await active?.engine.dispose();
  }

  /** The active engine; before any variant loaded, the local one (which says no variant is loaded). */
  private async current(): Promise<CoopEngine> {
    await this.routing;
    await this.switching?.catch(() => undefined);
    return this.active?.engine ?? this.engineFor("local");
  }

  /** The engine of `place`, made the active one: the other place's engine is disposed first. */
  private async engineFor(place: EnginePlace): Promise<CoopEngine> {
    await this.switching?.catch(() => undefined);
    if (this.active?.place === place) return this.active.engine;
    const previous = this.active;
    const engine = this.createEngine(place);
    this.active = { place, engine };
    const switching = (async () => {
      await previous?.engine.dispose();
      // The workspace is indexed again by an engine that replaces another; requests do not wait for
      // it. The first engine is given the workspace by openWorkspace() itself.
      if (previous && this.workspace) {
        const workspace = this.workspace;
        void engine.openWorkspace(workspace).catch((error: unknown) => {
          this.options.onLog?.(
            "warn",
            `the workspace could not be indexed for the ${place} engine: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      }
    })();
    this.switching = switching;
    try {
      await switching;
    } finally {
      if (this.switching === switching) this.switching = undefined;
    }
    return engine;
  }

  private createEngine(place: EnginePlace): CoopEngine {
    const apiKeyFor = (endpoint: string) => this.apiKeys.get(endpoint);
    if (this.options.createEngine) return this.options.createEngine(place, apiKeyFor);
    return place === "local"
      ? new InProcessEngine({ onLog: this.options.onLog })
      : new RemoteVariantEngine({ onLog: this.options.onLog, apiKeyFor, http: this.options.remoteHttp });
  }
}
