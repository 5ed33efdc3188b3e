import { join } from "node:path";
import * as vscode from "vscode";
// The client module itself: engine/host/index.js also exports the in-process engine and all it loads.
import type { EngineCompletion, EngineCompletionRequest, EngineStats, VariantState } from "../../engine/host/engineApi.js";
import { EngineHostClient, type EngineHostState } from "../../engine/host/engineHostClient.js";
import type { CoopConfig } from "../config.js";

export interface EngineStatus {
  host: EngineHostState;
  variant: string;
  /** Set while the variant loads, and after a failure to load it. */
  loading: boolean;
  error?: string;
  stats?: EngineStats;
}

/**
 * The extension's side of the engine: the engine host process, started on first use with the
 * extension host's own Node, and the workspace's variant, loaded once per settings. Everything the
 * variant owned is freed when the variant or a setting that shapes it changes.
 */
export class EngineConnection implements vscode.Disposable {
  private client: EngineHostClient | undefined;
  private loaded: { key: string; state: Promise<VariantState> } | undefined;
  private workspaceOpened: string | undefined;
  private status: EngineStatus;
  private readonly changed = new vscode.EventEmitter<EngineStatus>();
  readonly onDidChangeStatus = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly config: CoopConfig,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = { host: "stopped", variant: config.variant, loading: false };
  }

  get current(): EngineStatus {
    return this.status;
  }

  async complete(request: EngineCompletionRequest, token: vscode.CancellationToken): Promise<EngineCompletion | undefined> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      await this.ensureVariant();
      this.ensureWorkspace();
      if (token.isCancellationRequested) return undefined;
      const result = await this.engine().complete(request, controller.signal);
      if (result.source === "generated") void this.refreshStats();
      return result;
    } finally {
      subscription.dispose();
    }
  }

  /** The shipped catalog, then the user's (ignored in untrusted workspaces, see CoopConfig). */
  catalogFiles(): string[] {
    return [this.context.asAbsolutePath("models.json"), ...(this.config.modelCatalog ? [this.config.modelCatalog] : [])];
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
  async loadNow(token?: vscode.CancellationToken): Promise<VariantState> {
    this.reload();
    const controller = new AbortController();
    const subscription = token?.onCancellationRequested(() => controller.abort());
    try {
      return await this.ensureVariant(controller.signal);
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
    try {
      return await this.engine().downloadVariant(
        { variantId: this.config.variant, catalogFiles: this.catalogFiles(), ...this.storage() },
        controller.signal,
        (progress) => onProgress(progress.fraction, progress.message),
      );
    } finally {
      subscription.dispose();
    }
  }

  /** Forgets the loaded variant: the next request loads the one the settings name now. */
  reload(): void {
    this.loaded = undefined;
    this.update({ variant: this.config.variant, error: undefined });
  }

  async dispose(): Promise<void> {
    this.changed.dispose();
    await this.client?.dispose();
  }

  private engine(): EngineHostClient {
    this.client ??= new EngineHostClient({
      entry: this.context.asAbsolutePath(join("out", "engineHost.mjs")),
      execPath: process.execPath,
      onLog: (level, message) => (level === "error" || level === "fatal" ? this.log.error(message) : this.log.debug(message)),
      onStateChange: (host) => this.update({ host }),
    });
    return this.client;
  }

  private ensureVariant(signal?: AbortSignal): Promise<VariantState> {
    const catalogFiles = this.catalogFiles();
    const request = {
      variantId: this.config.variant,
      catalogFiles,
      ...this.storage(),
      gpu: this.config.gpu,
      threads: this.config.threads || undefined,
    };
    const key = JSON.stringify(request);
    if (this.loaded?.key === key) return this.loaded.state;
    this.update({ variant: request.variantId, loading: true, error: undefined });
    this.log.info(`Loading variant ${request.variantId}…`);
    const state = this.engine().loadCatalogVariant(request, signal);
    this.loaded = { key, state };
    state.then(
      (loaded) => {
        this.log.info(`Variant ${loaded.id} loaded (${loaded.onGpu ? "GPU" : "CPU"}${loaded.speculative ? ", speculative decoding" : ""}).`);
        for (const notice of loaded.notices) this.log.warn(notice);
        this.update({ loading: false });
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log.error(`Variant ${request.variantId} could not be loaded: ${message}`);
        if (this.loaded?.key === key) this.loaded = undefined;
        this.update({ loading: false, error: message });
      },
    );
    return state;
  }

  /**
   * Indexes the first workspace folder in the engine (once, in the background: completions do not
   * wait for it). In an untrusted workspace the index is still only read, never run.
   */
  private ensureWorkspace(): void {
    const folder = vscode.workspace.workspaceFolders?.find((candidate) => candidate.uri.scheme === "file");
    if (!folder || this.workspaceOpened === folder.uri.fsPath) return;
    this.workspaceOpened = folder.uri.fsPath;
    this.engine()
      .openWorkspace({ root: folder.uri.fsPath, cacheDir: this.storage().cacheDir })
      .then(
        ({ files }) => this.log.info(`Indexed ${files} files of ${folder.name} for retrieval and checking.`),
        (error: unknown) => {
          this.workspaceOpened = undefined;
          this.log.warn(`The workspace could not be indexed: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
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
