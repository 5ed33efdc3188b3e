import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { CoopError, coopErrorCodes, isCoopErrorCode } from "../errors/index.js";
import { MergeError } from "./mergeError.js";
import type { MergeCursor, PassStatistics } from "./methods/index.js";
import { startBundledWorker } from "../bundledWorker.js";
import { PendingReplies } from "../pendingReplies.js";
import type {
  SharedBlock,
  TensorStreamSpec,
  WorkerMessage,
  WorkerReply,
  WorkerRequest,
} from "./workerProtocol.js";

/**
 * The worker thread that takes a share of a merge's arithmetic (one per merge job), as requests answered
 * in order. A failure in the worker rejects its request with the worker's error (a MergeError stays
 * one); the thread dying rejects every request still waiting.
 */
export class SliceWorker {
  private readonly pending = new PendingReplies<WorkerReply>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (message: WorkerMessage) => this.settle(message));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`the merge worker thread exited (code ${code})`)));
  }

  /**
   * A worker, or undefined when a second thread would not help (one CPU) or cannot start (see
   * startBundledWorker).
   */
  static start(): SliceWorker | undefined {
    if (availableParallelism() < 2) return undefined;
    const worker = startBundledWorker(import.meta.url, "mergeWorker");
    return worker === undefined ? undefined : new SliceWorker(worker);
  }

  async open(spec: TensorStreamSpec): Promise<void> {
    await this.send({ kind: "open", spec });
  }

  /** Shows the worker's copy elements [from, to) of the block; resolves to the seconds it took there. */
  async observe(pass: number, block: SharedBlock, from: number, to: number): Promise<number> {
    return (await this.send({ kind: "observe", pass, block, from, to })).seconds!;
  }

  /** The worker's copy's statistics of pass `pass`, which it forgets. */
  async take(pass: number): Promise<PassStatistics> {
    return (await this.send({ kind: "take", pass })).statistics!;
  }

  async add(pass: number, statistics: PassStatistics[]): Promise<void> {
    await this.send({ kind: "add", pass, statistics });
  }

  /**
   * Merges elements [from, to) of the block into `output` from `cursor`; resolves to the cursor after them
   * and the seconds it took there.
   */
  async merge(
    block: SharedBlock,
    from: number,
    to: number,
    output: Uint8Array,
    cursor: MergeCursor,
  ): Promise<{ cursor: MergeCursor; seconds: number }> {
    const reply = await this.send({ kind: "merge", block, from, to, output, cursor });
    return { cursor: reply.cursor!, seconds: reply.seconds! };
  }

  async close(): Promise<void> {
    this.failure ??= new Error("the merge worker thread was closed");
    await this.worker.terminate();
  }

  private send(request: WorkerRequest): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const { id, reply } = this.pending.add();
    this.worker.postMessage({ id, request });
    return reply;
  }

  private settle(message: WorkerMessage): void {
    this.pending.settle(
      message.id,
      "reply" in message ? { value: message.reply } : { error: errorFrom(message.error) },
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.pending.rejectAll(this.failure);
  }
}

/** A worker's error rebuilt on this side: with its code when it has one of Coop's, and its name. */
function errorFrom({ name, message, code }: { name: string; message: string; code?: string }): Error {
  if (code === coopErrorCodes.mergeRefused) return new MergeError(message);
  const error = isCoopErrorCode(code) ? new CoopError(code, message) : new Error(message);
  error.name = name;
  return error;
}
