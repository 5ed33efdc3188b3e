import { fork, type ChildProcess } from "node:child_process";
import { basename } from "node:path";
import type {
  CatalogVariantRequest,
  ChatEvent,
  ChatEventListener,
  ChatSource,
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
  VariantStatus,
  WorkspaceChange,
  WorkspaceRequest,
} from "../contract/engineApi.js";
import { CompletionAbortedError } from "../../completion/cancellation.js";
import { EngineHeartbeat } from "./engineHeartbeat.js";
import { describeError } from "../../errors/index.js";
import {
  EngineCrashedError,
  EngineGaveUpError,
  EngineRequestError,
  EngineTimeoutError,
} from "./engineHostErrors.js";
import {
  parseHostMessage,
  type EngineMethod,
  type EngineMethods,
  type HostRequest,
} from "../contract/protocol.js";
import type { RemoteApiKey } from "../contract/remoteApiKeys.js";
import manifest from "../../../package.json" with { type: "json" };

export interface EngineHostOptions {
  /** The engine host's entry script (the bundle's engineHost.mjs, or hostMain.ts under tsx in tests). */
  entry: string;
  /** The Node to run it with: the extension host's own (`process.execPath`, with ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  execArgv?: string[];
  /** After this many crashes within `crashWindowMs` while one variant is active, stop restarting. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** Wait before the n-th restart in a row (the last value repeats). */
  restartBackoffMs?: number[];
  /**
   * An engine that answers nothing (not even the heartbeat) for this long is reported, killed and
   * restarted, and its pending requests fail with EngineTimeoutError (default: defaultResponseTimeoutMs).
   */
  responseTimeoutMs?: number;
  onLog?: (level: string, message: string) => void;
  onStateChange?: (state: EngineHostState) => void;
  /** Each move of the variant's state machine in the engine (downloading, loading, ready, failed...). */
  onVariantStatus?: (status: VariantStatus) => void;
}

export type EngineHostState = "stopped" | "starting" | "running" | "crashed" | "unresponsive" | "gave-up";

/** coop.engine.responseTimeoutMs's default in package.json. */
export const defaultResponseTimeoutMs =
  manifest.contributes.configuration.properties["coop.engine.responseTimeoutMs"].default;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: ProgressListener;
  onChunk?: ChunkListener;
  onEvent?: ChatEventListener;
}

type Listeners = Pick<Pending, "onProgress" | "onChunk" | "onEvent">;

const stderrTailLines = 12;

/**
 * The engine, run in a child process the way language servers run: started on first use, restarted
 * with backoff after a crash (the active variant is loaded again), and given up on with a message that
 * names the variant's files when it keeps crashing. Implements the same API as the in-process engine.
 */
export class EngineHostClient implements CoopEngine {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private crashTimes: number[] = [];
  private stderrTail: string[] = [];
  private lastLog: string | undefined;
  /** The call that loaded the active variant, replayed after a restart. */
  private activeVariant: { id: string; files: string[]; load: () => Promise<VariantState> } | undefined;
  private activeWorkspace: WorkspaceRequest | undefined;
  /**
   * The remote servers' API keys, in memory only, given again to a restarted engine before its variant loads.
   */
  private remoteApiKeys: RemoteApiKey[] | undefined;
  private stateValue: EngineHostState = "stopped";
  private disposed = false;
  private heartbeat: EngineHeartbeat | undefined;
  /** Engine processes given up on (unresponsive, killed): their exit is no crash, their words are ignored. */
  private readonly abandoned = new WeakSet<ChildProcess>();

  constructor(private readonly options: EngineHostOptions) {}

  get state(): EngineHostState {
    return this.stateValue;
  }

  /** The engine process's id while it runs (for diagnostics and fault tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async loadVariant(
    spec: VariantSpec,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    this.activeVariant = {
      id: spec.id,
      files: [spec.target, spec.draft].filter((file): file is string => file !== undefined),
      load: () => this.call("loadVariant", spec),
    };
    this.crashTimes = [];
    return this.call("loadVariant", spec, signal, { onProgress });
  }

  async loadCatalogVariant(
    request: CatalogVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    this.activeVariant = {
      id: request.variantId,
      files: [],
      load: () => this.call("loadCatalogVariant", request),
    };
    this.crashTimes = [];
    return this.call("loadCatalogVariant", request, signal, { onProgress });
  }

  complete(
    request: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    return this.call("complete", request, signal, { onChunk });
  }

  /** Answers in the engine process; aborting cancels it there, and the answer so far still comes back. */
  async chat(
    request: EngineChatRequest,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    if (signal?.aborted) return { text: "", sources: [], codeBlocks: [], stopReason: "aborted", tokens: 0 };
    let sources: ChatSource[] = [];
    let text = "";
    const streamed = (event: ChatEvent): void => {
      if (event.type === "sources") sources = event.sources;
      else text += event.text;
      onEvent?.(event);
    };
    // Stopped: the answer so far is what streamed, at once, whatever the engine still does.
    return this.call("chat", request, signal, { onEvent: streamed }, () => ({
      text,
      sources,
      codeBlocks: [],
      stopReason: "aborted",
      tokens: 0,
    }));
  }

  downloadVariant(
    request: DownloadVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<{ downloaded: string[]; bytes: number }> {
    return this.call("downloadVariant", request, signal, { onProgress });
  }

  /** Indexes a workspace in the engine; remembered and reopened after a restart. */
  openWorkspace(request: WorkspaceRequest): Promise<{ files: number }> {
    this.activeWorkspace = request;
    return this.call("openWorkspace", request);
  }

  /** Tells the engine what changed in the editor, for the open workspace's retriever and detector. */
  workspaceChanged(change: WorkspaceChange): Promise<{ applied: number; ignored: string[] }> {
    return this.call("workspaceChanged", change);
  }

  /**
   * Hands the engine the API keys of remote servers (replacing those it holds), for the variants that
   * run on them. They stay in memory, here and in the engine process, and never reach a log line.
   */
  async setRemoteApiKeys(keys: readonly RemoteApiKey[]): Promise<void> {
    this.remoteApiKeys = keys.map(({ endpoint, apiKey }) => ({ endpoint, apiKey }));
    await this.call("setRemoteApiKeys", { keys: this.remoteApiKeys });
  }

  stats(): Promise<EngineStats> {
    return this.call("stats", {});
  }

  memory(): Promise<EngineMemory> {
    return this.call("memory", {});
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.heartbeat?.stop();
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.send({ kind: "shutdown" } satisfies HostRequest);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Sends one request. Aborting `signal` releases it here at once (rejected with CompletionAbortedError, or
   * resolved with `answerWhenCancelled()`), and tells the engine to stop it.
   */
  private async call<M extends EngineMethod>(
    method: M,
    params: EngineMethods[M]["params"],
    signal?: AbortSignal,
    listeners: Listeners = {},
    answerWhenCancelled?: () => EngineMethods[M]["result"],
  ): Promise<EngineMethods[M]["result"]> {
    if (this.disposed) throw new Error("The Coop engine was disposed");
    if (signal?.aborted) throw new CompletionAbortedError();
    const child = await this.ensureStarted(method === "loadVariant" || method === "loadCatalogVariant");
    if (signal?.aborted) throw new CompletionAbortedError();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (child.connected) child.send({ kind: "cancel", id } satisfies HostRequest);
        const pending = this.pending.get(id);
        if (!pending) return;
        this.pending.delete(id);
        if (answerWhenCancelled) pending.resolve(answerWhenCancelled());
        else pending.reject(new CompletionAbortedError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        ...listeners,
        resolve: (value) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value as EngineMethods[M]["result"]);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      });
      child.send({ kind: "request", id, method, params });
    });
  }

  private ensureStarted(loadingVariant: boolean): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.start(loadingVariant).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(loadingVariant: boolean): Promise<ChildProcess> {
    const recentCrashes = this.crashTimes.filter(
      (time) => Date.now() - time < (this.options.crashWindowMs ?? 120_000),
    );
    if (recentCrashes.length >= (this.options.maxCrashes ?? 3)) {
      this.setState("gave-up");
      const files = this.activeVariant?.files.map((file) => basename(file)) ?? [];
      throw new EngineGaveUpError(
        `The Coop engine crashed ${recentCrashes.length} times` +
          (this.activeVariant
            ? ` with variant ${this.activeVariant.id}${files.length > 0 ? ` (${files.join(", ")})` : ""}`
            : "") +
          `; not restarting it. Check those model files, or set coop.gpu to "cpu" or lower coop.threads, then swap the variant again.` +
          (this.lastLog ? ` Last engine log line: ${this.lastLog}` : ""),
      );
    }
    if (recentCrashes.length > 0) {
      const backoff = this.options.restartBackoffMs ?? [250, 1000, 4000];
      await new Promise((resolve) =>
        setTimeout(resolve, backoff[Math.min(recentCrashes.length - 1, backoff.length - 1)]),
      );
    }
    this.setState("starting");
    const child = fork(this.options.entry, [], {
      execPath: this.options.execPath ?? process.execPath,
      execArgv: this.options.execArgv ?? [],
      env: {
        ...process.env,
        ELECTRON_RUN_AS_NODE: "1",
        // llama.cpp's threads each get a glibc malloc arena by default (8 per core): the memory a
        // variant frees stays mapped in them across swaps. Two arenas hold the engine's RSS flat.
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
      },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.stderrTail = [];
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      this.stderrTail.push(...text.split("\n").filter((line) => line.trim() !== ""));
      this.stderrTail = this.stderrTail.slice(-stderrTailLines);
    });
    child.on("message", (raw: unknown) => {
      if (!this.abandoned.has(child)) this.receive(raw);
    });
    child.on("exit", (code, signal) => this.onExit(child, code, signal));
    await new Promise<void>((resolve, reject) => {
      const onMessage = (raw: unknown): void => {
        if (parseHostMessage(raw)?.kind !== "ready") return;
        child.off("message", onMessage);
        child.off("exit", onEarlyExit);
        resolve();
      };
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        child.off("message", onMessage);
        reject(new EngineCrashedError(this.describeExit(code, signal)));
      };
      child.on("message", onMessage);
      child.once("exit", onEarlyExit);
    });
    this.child = child;
    this.setState("running");
    this.watch(child);
    // A restarted engine gets back the variant the user had, before it serves anything else.
    if (recentCrashes.length > 0) {
      if (this.remoteApiKeys) await this.call("setRemoteApiKeys", { keys: this.remoteApiKeys });
      if (this.activeVariant && !loadingVariant) await this.activeVariant.load();
      if (this.activeWorkspace) void this.call("openWorkspace", this.activeWorkspace).catch(() => undefined);
    }
    return child;
  }

  /** Starts the heartbeat with a running engine process. */
  private watch(child: ChildProcess): void {
    this.heartbeat?.stop();
    this.heartbeat = new EngineHeartbeat({
      timeoutMs: this.options.responseTimeoutMs ?? defaultResponseTimeoutMs,
      ping: (seq) => {
        if (child.connected) child.send({ kind: "ping", seq } satisfies HostRequest);
      },
      onUnresponsive: (silentMs) => this.onUnresponsive(child, silentMs),
    });
    this.heartbeat.start();
  }

  /**
   * The engine answered nothing within the bound: its pending requests fail now, the process is killed
   * (SIGKILL ends a stopped process too) and a new one starts with the variant and workspace it had.
   */
  private onUnresponsive(child: ChildProcess, silentMs: number): void {
    if (this.child !== child || this.disposed) return;
    this.abandoned.add(child);
    this.child = undefined;
    this.crashTimes.push(Date.now());
    this.options.onLog?.(
      "error",
      `The Coop engine (pid ${child.pid}) did not answer for ${silentMs} ms; killing it and starting a new one`,
    );
    this.setState("unresponsive");
    const error = new EngineTimeoutError(silentMs);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    child.kill("SIGKILL");
    this.ensureStarted(false).catch((restartError: unknown) =>
      this.options.onLog?.("error", `The Coop engine could not be restarted: ${describeError(restartError)}`),
    );
  }

  private receive(raw: unknown): void {
    this.heartbeat?.heard();
    const message = parseHostMessage(raw);
    if (!message) {
      this.options.onLog?.("warn", "engine host sent a malformed message; ignored");
      return;
    }
    switch (message.kind) {
      case "ready":
      case "pong":
        return;
      case "variant":
        this.options.onVariantStatus?.(message.status);
        return;
      case "log":
        this.lastLog = message.message.trim();
        this.options.onLog?.(message.level, message.message);
        return;
      case "result":
        this.pending.get(message.id)?.resolve(message.result);
        this.pending.delete(message.id);
        return;
      case "progress":
        this.pending.get(message.id)?.onProgress?.(message.progress);
        return;
      case "chunk":
        this.pending.get(message.id)?.onChunk?.(message.chunk);
        return;
      case "event":
        this.pending.get(message.id)?.onEvent?.(message.event);
        return;
      case "error":
        this.pending
          .get(message.id)
          ?.reject(new EngineRequestError(message.error.name, message.error.message, message.error.code));
        this.pending.delete(message.id);
        return;
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.abandoned.has(child)) return;
    if (this.child !== child && this.child !== undefined) return;
    this.heartbeat?.stop();
    this.child = undefined;
    if (this.disposed) {
      this.setState("stopped");
      return;
    }
    this.crashTimes.push(Date.now());
    this.setState("crashed");
    const error = new EngineCrashedError(this.describeExit(code, signal));
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    const said = this.stderrTail.length > 0 ? `; stderr: ${this.stderrTail.slice(-3).join(" | ")}` : "";
    const log = this.lastLog ? `; last llama.cpp log: ${this.lastLog}` : "";
    return `${how}${said}${log}`;
  }

  private setState(state: EngineHostState): void {
    this.stateValue = state;
    this.options.onStateChange?.(state);
  }
}
