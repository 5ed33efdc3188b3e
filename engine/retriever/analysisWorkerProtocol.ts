import type { FileAnalysis } from "./fileAnalyzer.js";

/** What the analysis worker thread is started with. */
export interface AnalysisWorkerData {
  maxChunkLines: number;
  /** setSyntaxWasmDirectory's folder in the thread that starts the worker (undefined: node_modules). */
  wasmDirectory: string | undefined;
  /**
   * Two Int32s the worker writes: at FINISHED, 1 more as it finishes each file (the indexing thread,
   * busy, may not have received the replies yet, but sees from this how many files still wait in the
   * worker); at READY, 1 once its modules are loaded (until then files are analysed where they are).
   */
  progress: SharedArrayBuffer;
}

export interface AnalysisRequest {
  id: number;
  path: string;
  source: string;
}

export type AnalysisReply = { id: number; analysis: FileAnalysis } | { id: number; error: string };

/** Where AnalysisWorkerData.progress holds what. */
export const FINISHED = 0;
export const READY = 1;
