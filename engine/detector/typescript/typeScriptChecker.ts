import type { Worker } from "node:worker_threads";
import { startBundledWorker } from "../../bundledWorker.js";
import type { CheckInput, CompilerVerdict } from "./typeScriptProject.js";
import type { FromTypeScriptWorker, ToTypeScriptWorker, TypeScriptWorkerData } from "./workerProtocol.js";

/**
 * Projects with more files of their own than this are left to the fast checker: each edit of the editor
 * builds a new version of the program (in idle time) and so does a check that cannot be judged on the
 * present one; their cost grows with the files, so beyond this they rarely fit a ghost-text budget.
 */
export const defaultMaxProjectFiles = 1500;

type State =
  | { status: "loading" }
  | { status: "ready"; files: number; warmMs: number }
  | { status: "unavailable"; reason: string };

/**
 * The TypeScript compiler's check of a workspace, run in a worker thread: the project is loaded and
 * warmed there in the background as soon as the checker starts; a check asked before that, or one that
 * outlives its budget, is not judged by the compiler (the caller keeps the fast checker's verdict).
 */
export class TypeScriptChecker {
  private state: State = { status: "loading" };
  private readonly pending = new Map<number, (verdict: CompilerVerdict) => void>();
  private readonly settled: Promise<void>;
  private nextId = 1;

  private constructor(
    private readonly worker: Worker | undefined,
    /** [0]: the id of the latest check given up on, which the compiler's thread polls. */
    private readonly cancelled: Int32Array,
  ) {
    let settle!: () => void;
    this.settled = new Promise((resolve) => (settle = resolve));
    if (worker === undefined) {
      this.state = { status: "unavailable", reason: "this build has no compiler thread" };
      settle();
      return;
    }
    worker.unref();
    worker.on("message", (message: FromTypeScriptWorker) => {
      this.receive(message);
      if (message.type === "ready" || message.type === "unavailable") settle();
    });
    worker.on("error", (error) => this.fail(`the compiler thread failed: ${error.message}`, settle));
    worker.on("exit", () => this.fail("the compiler thread stopped", settle));
  }

  /** Starts loading the project at `root` in its own thread. */
  static start(root: string, options: { maxFiles?: number } = {}): TypeScriptChecker {
    const cancelled = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const maxFiles = options.maxFiles ?? defaultMaxProjectFiles;
    return new TypeScriptChecker(
      startBundledWorker(import.meta.url, "typeScriptWorker", {
        root,
        maxFiles,
        cancelled,
      } satisfies TypeScriptWorkerData),
      new Int32Array(cancelled),
    );
  }

  /** Resolves once the project is warm (true) or will not be loaded (false). */
  async ready(): Promise<boolean> {
    // The thread does not keep the process alive, except while someone waits for it.
    this.worker?.ref();
    await this.settled;
    this.worker?.unref();
    return this.state.status === "ready";
  }

  get status(): State {
    return this.state;
  }

  /** The editor's text of a file (undefined: back to the disk's); the path is absolute or root-relative. */
  updateDocument(path: string, text: string | undefined): void {
    if (this.state.status !== "unavailable") this.send({ type: "update", path, text });
  }

  /**
   * The compiler's verdict on a suggestion within `budgetMs`, or why there is none: the project is not
   * loaded (yet), or the check took longer (it is then cancelled in the compiler's thread).
   */
  check(input: CheckInput, budgetMs: number): Promise<CompilerVerdict> {
    const { state } = this;
    if (state.status === "loading")
      return Promise.resolve({ judged: false, reason: "the project is not loaded yet" });
    if (state.status === "unavailable") return Promise.resolve({ judged: false, reason: state.reason });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        Atomics.store(this.cancelled, 0, id);
        resolve({ judged: false, reason: `the compiler was over its ${budgetMs} ms budget` });
      }, budgetMs);
      this.pending.set(id, (verdict) => {
        clearTimeout(timer);
        resolve(verdict);
      });
      this.send({ type: "check", id, input });
    });
  }

  async dispose(): Promise<void> {
    this.fail("the checker is disposed", () => undefined);
    await this.worker?.terminate();
  }

  private receive(message: FromTypeScriptWorker): void {
    if (message.type === "ready")
      this.state = { status: "ready", files: message.files, warmMs: message.warmMs };
    else if (message.type === "unavailable") this.state = { status: "unavailable", reason: message.reason };
    else {
      const answer = this.pending.get(message.id);
      this.pending.delete(message.id);
      answer?.(
        message.type === "checked" ? message.verdict : { judged: false, reason: "the check was cancelled" },
      );
    }
  }

  private fail(reason: string, settle: () => void): void {
    if (this.state.status !== "unavailable") this.state = { status: "unavailable", reason };
    for (const answer of this.pending.values()) answer({ judged: false, reason });
    this.pending.clear();
    settle();
  }

  private send(message: ToTypeScriptWorker): void {
    this.worker?.postMessage(message);
  }
}
