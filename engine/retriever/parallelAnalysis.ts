import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { syntaxWasmDirectory } from "../syntax/index.js";
import {
  FINISHED,
  READY,
  type AnalysisReply,
  type AnalysisRequest,
  type AnalysisWorkerData,
} from "./analysisWorkerProtocol.js";
import type { FileAnalysis, FileAnalyzer } from "./fileAnalyzer.js";
import { startBundledWorker } from "../bundledWorker.js";
import { PendingReplies } from "../pendingReplies.js";

/**
 * Files waiting in the worker at most: beyond that the next file is analysed on the indexing thread, so
 * the two threads share the parsing in proportion to their speed (the indexing thread also reads the
 * files and indexes their words).
 */
const WORKER_QUEUE = 8;
/**
 * Below this many bytes to analyse, a worker's start (a thread, its modules loaded, the grammars
 * compiled) does not pay. Measured from source (where the thread also loads tsx): rxjs's 0.8 MB lost
 * 0.25 s with a worker, zod's 3.1 MB broke even, date-fns' 10.9 MB (5,038 files) went from 3.5-4.0 s to
 * 2.6 s.
 */
export const MIN_BYTES_FOR_WORKER = 2 << 20;

/**
 * Indexing's syntax analysis shared between the indexing thread and a worker thread running the same
 * analyzer (the default syntax analyzer, the only one a worker can rebuild). Results come back in any
 * order; the caller awaits them in its own. A file the worker fails on, or every file once the thread
 * has died, is analysed on this thread instead, so the index is the same either way.
 */
export class ParallelAnalysis {
  private readonly pending = new PendingReplies<FileAnalysis>();
  private failed = false;
  /** What the worker reports through shared memory (see AnalysisWorkerData.progress). */
  private readonly progress: Int32Array;
  /** Files the worker analysed (for the index's summary). */
  analysedInWorker = 0;

  private constructor(
    private readonly local: FileAnalyzer,
    private readonly worker: Worker,
    progress: SharedArrayBuffer,
  ) {
    this.progress = new Int32Array(progress);
    worker.on("message", (reply: AnalysisReply) => this.settle(reply));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`the analysis worker thread exited (code ${code})`)));
  }

  /**
   * Shares the analysis of files adding up to `bytes` with a worker running
   * defaultSyntaxAnalyzer(maxChunkLines) (which `local` must be), or undefined where that would not help:
   * little to analyse, one CPU, or no worker file.
   */
  static start(local: FileAnalyzer, maxChunkLines: number, bytes: number): ParallelAnalysis | undefined {
    if (bytes < MIN_BYTES_FOR_WORKER || availableParallelism() < 2) return undefined;
    const progress = new SharedArrayBuffer(8);
    const worker = startBundledWorker(import.meta.url, "analysisWorker", {
      maxChunkLines,
      wasmDirectory: syntaxWasmDirectory(),
      progress,
    } satisfies AnalysisWorkerData);
    return worker === undefined ? undefined : new ParallelAnalysis(local, worker, progress);
  }

  /** Whether the worker has started and takes files. */
  get workerReady(): boolean {
    return !this.failed && Atomics.load(this.progress, READY) === 1;
  }

  analyze(path: string, source: string): Promise<FileAnalysis> {
    // Nothing goes to the worker before it is ready (the first files would wait for its start, and the
    // index adds files in order). Sent less finished: the replies waiting to be received here do not
    // count, as this thread may be too busy analysing to receive them.
    const waiting = this.pending.issued - Atomics.load(this.progress, FINISHED);
    if (!this.workerReady || waiting >= WORKER_QUEUE) return this.local.analyze(path, source);
    return this.inWorker(path, source).catch(() => this.local.analyze(path, source));
  }

  /** Stops the worker; files still waiting there are analysed here. */
  async dispose(): Promise<void> {
    this.fail(new Error("the analysis worker was stopped"));
    await this.worker.terminate();
  }

  private inWorker(path: string, source: string): Promise<FileAnalysis> {
    const { id, reply } = this.pending.add();
    this.worker.postMessage({ id, path, source } satisfies AnalysisRequest);
    return reply;
  }

  private settle(reply: AnalysisReply): void {
    const analysed = this.pending.settle(
      reply.id,
      "error" in reply ? { error: new Error(reply.error) } : { value: reply.analysis },
    );
    if (analysed && !("error" in reply)) this.analysedInWorker++;
  }

  private fail(error: Error): void {
    this.failed = true;
    this.pending.rejectAll(error);
  }
}
