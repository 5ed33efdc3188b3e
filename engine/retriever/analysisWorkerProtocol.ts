import type { FileAnalysis } from "./fileAnalyzer.js";

/** What the analysis worker thread is started with. */
export interface AnalysisWorkerData {
  maxChunkLines: number;
  /** setSyntaxWasmDirectory's folder in the thread that starts the worker (undefined: node_modules). */
  wasmDirectory: string | undefined;
  /**
   * One Int32 the worker adds 1 to as it finishes each file: the indexing thread, busy, may not have
   * received the replies yet, but sees from this how many files still wait in the worker.
   */
  finished: SharedArrayBuffer;
}

export interface AnalysisRequest {
  id: number;
  path: string;
  source: string;
}

export type AnalysisReply = { id: number; analysis: FileAnalysis } | { id: number; error: string };
