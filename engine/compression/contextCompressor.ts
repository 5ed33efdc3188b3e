import type { ContextChunk } from "../completion/index.js";

export interface FitRequest {
  /** Tokens of the chunks' text together (paths are not counted, as in the retriever's budget). */
  budgetTokens: number;
  countTokens: (text: string) => number;
  /** Names used at the cursor: lines of their definitions are not compressed away. */
  protectedNames?: ReadonlySet<string>;
  signal?: AbortSignal;
  /**
   * Wait for the model to read chunks it has not read before (default true). False: when some were
   * not, the fit drops whole chunks instead (in order, as the retriever fits its budget) and they are
   * read in the background, so the next fit of them compresses without waiting.
   */
  waitForScores?: boolean;
}

export interface FittedContext {
  /** Within the budget, in the order given; each chunk's kept lines in their order. */
  chunks: ContextChunk[];
  /** Tokens of the kept chunks' text, counted as the budget is. */
  tokens: number;
  /** Lines compression took out (of the chunks it compressed, kept or emptied). */
  droppedLines: number;
  /** Chunks given that are not in the result: emptied by compression, or dropped to fit. */
  droppedChunks: number;
  /** Whether lines were taken out (false: the chunks fit, or whole chunks were dropped). */
  compressed: boolean;
  /** With `waitForScores: false`, chunks the model had not read yet: read now in the background. */
  unscoredChunks: number;
}

/**
 * Fits retrieved context into a token budget by taking out the lines a model finds least informative;
 * whole chunks (the last ones first) go only when that cannot reach the budget. Context within the
 * budget comes back as it is. Rejects with the request's cancellation when its signal aborts, and with
 * CancelledBySwapError once the compressor is disposed.
 */
export interface ContextCompressor {
  fit(chunks: readonly ContextChunk[], request: FitRequest): Promise<FittedContext>;
  /** Frees what the compressor created (never the model it scores with). */
  dispose(): Promise<void>;
}
