import { join } from "node:path";
import * as vscode from "vscode";
import type {
  ChatEventListener,
  EngineChatAnswer,
  EngineChatRequest,
  EngineCompletion,
  EngineCompletionRequest,
  EngineStats,
  ProgressListener,
  VariantState,
  VariantStatus,
  WorkspaceChange,
} from "../../engine/host/contract/index.js";
import { EngineHostClient, type EngineHostState } from "../../engine/host/client/index.js";
import type { CoopConfig } from "../settings/config.js";
import type { RemoteApiKeys } from "../remote/remoteApiKey.js";
import type { CompletionClock } from "./completionTimings.js";
import { describeError, errorCodeOf } from "../../engine/errors/index.js";

export interface EngineStatus {
  host: EngineHostState;
  variant: string;
  /** Set while the variant loads, and after a failure to load it. */
  loading: boolean;
  error?: string;
  /**
   * The error's code as the engine reported it (model-not-available: the models are not downloaded); see
   * engine/errors/errorCodes.ts.
   */
  errorCode?: string;
  /** The engine's own account of the variant: switching, downloading, loading, ready, failed. */
  variantStatus?: VariantStatus;
  /** Set while Coop: Download Models runs. */
  download?: { fraction?: number; message: string };
  stats?: EngineStats;
}

/**
 * The extension's side of the engine: the engine host process, started on first use with the
 * extension host's own Node, and the workspace's variant, loaded once per settings. Everything the
 * variant owned is freed when the variant or a setting that shapes it changes.
 */
export class EngineConnection implements vscode.Disposable {
  private client: EngineHostClient | undefined;
  private loaded: { key: string; requested: Promise<void>; state: Promise<VariantState> } | undefined;
  /**
   * The last load that failed, kept so requests do not retry it on every keystroke: it is tried again
   * when a setting that shapes it changes, after a download, or when the user asks (reload()).
   */
  private failed: { key: string; error: unknown } | undefined;
  private workspace: { root: string; indexed: Promise<void> } | undefined;
  private status: EngineStatus;
  private readonly changed = new vscode.EventEmitter<EngineStatus>();
  readonly onDidChangeStatus = this.changed.event;
  private indexed: string | undefined;
  private readonly workspaceIndexed = new vscode.EventEmitter<string>();
  /** Fires with the root of a workspace once the engine has indexed it. */
  readonly onDidIndexWorkspace = this.workspaceIndexed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly config: CoopConfig,
    private readonly log: vscode.LogOutputChannel,
    private readonly apiKeys: RemoteApiKeys,
  ) {
    this.status = { host: "stopped", variant: config.variant, loading: false };
  }

  get current(): EngineStatus {
    return this.status;
  }

  /**
   * The engine's answer, or undefined when the token was cancelled before it was asked; cancelling the
   * token aborts the request in the engine. `clock` times the wait for the variant and the round trip.
   */
  async complete(
    request: EngineCompletionRequest,
    token: vscode.CancellationToken,
    clock?: CompletionClock,
  ): Promise<EngineCompletion | undefined> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      if (request.ensemble) {
        // The engine answers routed requests while the variant loads (the draft while the target
        // loads): the request only has to follow the load request. A failed load still throws.
        const load = this.variantLoad();
        await load.requested;
        void load.state.catch(() => undefined);
      } else {
        await this.ensureVariant();
      }
      void this.ensureWorkspace();
      if (token.isCancellationRequested) return undefined;
      clock?.lap("load");
      const result = await this.engine().complete(request, controller.signal);
      clock?.lap("roundTrip");
      if (result.source === "generated") void this.refreshStats();
      return result;
    } finally {
      subscription.dispose();
    }
  }

  /**
   * Answers a chat question once the variant is loaded and the workspace indexed (the answer is
   * grounded in it). Cancelling resolves with the answer so far.
   */
  async chat(
    request: EngineChatRequest,
    signal: AbortSignal,
    onEvent: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    await this.ensureVariant();
    await this.ensureWorkspace();
    const answer = await this.engine().chat(request, signal, onEvent);
    void this.refreshStats();
    return answer;
  }

  /** The shipped catalog, then the user's (ignored in untrusted workspaces, see CoopConfig). */
  catalogFiles(): string[] {
    return [
      this.context.asAbsolutePath("models.json"),
      ...(this.config.modelCatalog ? [this.config.modelCatalog] : []),
    ];
  }

  /**
   * Where built, merged and downloaded models live: the extension's global storage (COOP_CACHE_DIR
   * shares one cache with the CLI, and lets tests reuse built models), models under it unless
   * coop.modelsDirectory says otherwise.
   */
  storage(): { cacheDir: string; modelsDir: string } {
    const cacheDir = process.env.COOP_CACHE_DIR ?? this.context.globalStorageUri.fsPath;
    return { cacheDir, modelsDir: this.config.modelsDirectory ?? join(cacheDir, "models") };
  }

  /** Loads the variant the settings name now (for the swap command's progress), cancellable. */
  async loadNow(token?: vscode.CancellationToken, onProgress?: ProgressListener): Promise<VariantState> {
    this.reload();
    const controller = new AbortController();
    const subscription = token?.onCancellationRequested(() => controller.abort());
    try {
      return await this.ensureVariant(controller.signal, onProgress);
    } finally {
      subscription?.dispose();
    }
  }

  /** Downloads what the active variant needs that is not on this machine yet, in the engine process. */
  async downloadActiveVariant(
    token: vscode.CancellationToken,
    onProgress: (fraction: number | undefined, message: string) => void,
  ): Promise<{ downloaded: string[]; bytes: number }> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    this.update({ download: { message: "Starting the download" } });
    try {
      return await this.engine().downloadVariant(
        { variantId: this.config.variant, catalogFiles: this.catalogFiles(), ...this.storage() },
        controller.signal,
        (progress) => {
          this.update({ download: { fraction: progress.fraction, message: progress.message } });
          onProgress(progress.fraction, progress.message);
        },
      );
    } finally {
      subscription.dispose();
      this.update({ download: undefined });
    }
  }

  /** Forgets the loaded variant: the next request loads the one the settings name now. */
  reload(): void {
    this.loaded = undefined;
    this.failed = undefined;
    this.update({ variant: this.config.variant, error: undefined, errorCode: undefined });
  }

  async dispose(): Promise<void> {
    this.changed.dispose();
    this.workspaceIndexed.dispose();
    await this.client?.dispose();
  }

  private engine(): EngineHostClient {
    this.client ??= new EngineHostClient({
      entry: this.context.asAbsolutePath(join("out", "engineHost.mjs")),
      execPath: process.execPath,
      responseTimeoutMs: this.config.engineResponseTimeoutMs,
      onLog: (level, message) =>
        level === "error" || level === "fatal" ? this.log.error(message) : this.log.debug(message),
      onStateChange: (host) => this.update({ host }),
      onVariantStatus: (variantStatus) => this.update({ variantStatus }),
    });
    return this.client;
  }

  private ensureVariant(signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState> {
    return this.variantLoad(signal, onProgress).state;
  }

  /**
   * The load of the variant the settings name, started if it is not under way. `requested` settles
   * once the engine has been sent the load (requests sent after it are served by the new variant),
   * `state` when the variant is loaded.
   */
  private variantLoad(
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): { requested: Promise<void>; state: Promise<VariantState> } {
    const catalogFiles = this.catalogFiles();
    const request = {
      variantId: this.config.variant,
      catalogFiles,
      ...this.storage(),
      gpu: this.config.gpu,
      threads: this.config.threads || undefined,
    };
    const key = JSON.stringify(request);
    if (this.loaded?.key === key) return this.loaded;
    if (this.failed?.key === key) {
      const failed = Promise.reject(this.failed.error);
      return { requested: failed, state: failed };
    }
    this.update({ variant: request.variantId, loading: true, error: undefined, errorCode: undefined });
    this.log.info(`Loading variant ${request.variantId}…`);
    // Remote servers' API keys reach the engine process in memory, before each load (a restarted process has
    // none).
    let sent!: () => void;
    const requested = new Promise<void>((resolve) => (sent = resolve));
    const state = this.apiKeys
      .forCatalog(catalogFiles)
      .then((keys) => this.engine().setRemoteApiKeys(keys))
      .then(() => {
        const loading = this.engine().loadCatalogVariant(request, signal, onProgress);
        sent();
        return loading;
      });
    // A load that fails before it is sent settles `requested` too, with its error.
    state.catch(() => sent());
    this.loaded = { key, requested: requested.then(() => undefined), state };
    state.then(
      (loaded) => {
        this.log.info(
          `Variant ${loaded.id} loaded (${loaded.onGpu ? "GPU" : "CPU"}${loaded.speculative ? ", speculative decoding" : ""}).`,
        );
        for (const notice of loaded.notices) this.log.warn(notice);
        this.update({ loading: false });
      },
      (error: unknown) => {
        const message = describeError(error);
        this.log.error(`Variant ${request.variantId} could not be loaded: ${message}`);
        if (this.loaded?.key === key) {
          this.loaded = undefined;
          this.failed = { key, error };
        }
        this.update({
          loading: false,
          error: message,
          errorCode: errorCodeOf(error),
        });
      },
    );
    return this.loaded;
  }

  /**
   * Indexes the first workspace folder in the engine, once. Completions do not wait for it (the
   * promise is ignored); chat does. It never rejects: a workspace that cannot be indexed is logged
   * and answered without grounding. In an untrusted workspace the files are only read, never run.
   */
  private ensureWorkspace(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.find((candidate) => candidate.uri.scheme === "file");
    if (!folder) return Promise.resolve();
    if (this.workspace?.root === folder.uri.fsPath) return this.workspace.indexed;
    const indexed = this.engine()
      .openWorkspace({ root: folder.uri.fsPath, cacheDir: this.storage().cacheDir })
      .then(
        ({ files }) => {
          this.log.info(`Indexed ${files} files of ${folder.name} for retrieval and checking.`);
          if (this.workspace?.indexed !== indexed) return;
          this.indexed = folder.uri.fsPath;
          this.workspaceIndexed.fire(folder.uri.fsPath);
        },
        (error: unknown) => {
          if (this.workspace?.indexed === indexed) this.workspace = undefined;
          this.log.warn(`The workspace could not be indexed: ${describeError(error)}`);
        },
      );
    this.workspace = { root: folder.uri.fsPath, indexed };
    return indexed;
  }

  /** The root of the workspace the engine has indexed, if any. */
  get indexedRoot(): string | undefined {
    return this.indexed;
  }

  /**
   * Tells the engine what changed in the indexed workspace. Before it is indexed there is nothing to
   * tell: the index reads the files as they are then.
   */
  async workspaceChanged(change: WorkspaceChange): Promise<void> {
    if (this.indexed === undefined || !this.client) return;
    const { ignored } = await this.client.workspaceChanged(change);
    for (const reason of ignored) this.log.debug(`The engine ignored a workspace change: ${reason}`);
  }

  private async refreshStats(): Promise<void> {
    try {
      this.update({ stats: await this.engine().stats() });
    } catch {
      // Stats are decoration; a failing engine reports itself through its state.
    }
  }

  private update(change: Partial<EngineStatus>): void {
    this.status = { ...this.status, ...change };
    this.changed.fire(this.status);
  }
}
