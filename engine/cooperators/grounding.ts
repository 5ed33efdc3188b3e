import type { CompletionRequest, ContextChunk } from "../completion/index.js";
import type { ContextCompressor } from "../compression/index.js";
import {
  approximateTokenCount,
  identifiersIn,
  type QueryOptions,
  type Retriever,
} from "../retriever/index.js";

/** Chunks retrieved for a completion prompt without a compressor. */
const retrievedChunks = 6;

export interface GroundingOptions {
  /** Tokens of retrieved code (the chunks' text) the prompt may hold. */
  budgetTokens: number;
  /**
   * Fits more than the budget into it: `overfetch` times the budget (and chunks) is retrieved, then
   * compressed; chunks are dropped only when compression cannot reach the budget. Without one, what the
   * retriever returns within the budget is the context.
   */
  compressor?: ContextCompressor;
  /** Default 2. */
  overfetch?: number;
  /** Counts tokens for the budget; default the retriever's estimate (about four characters a token). */
  countTokens?: (text: string) => number;
  /** Aborts the compression (retrieval is not abortable); rejects with the request's cancellation. */
  signal?: AbortSignal;
  /**
   * Wait for the compressor's model to read chunks it has not read before (default true). False: such
   * a prompt gets its chunks dropped to fit, as without a compressor, while they are read in the
   * background for the next prompts (see FitRequest.waitForScores).
   */
  waitForScores?: boolean;
}

/** What the grounding of one prompt kept, for the engine's stats and timings. */
export interface GroundingReport {
  budgetTokens: number;
  /** What the retriever returned (with a compressor, up to `overfetch` times the budget). */
  retrievedChunks: number;
  retrievedTokens: number;
  /** What goes into the prompt. */
  keptChunks: number;
  keptTokens: number;
  /** Retrieved chunks left out: emptied by compression, or dropped because it could not fit them. */
  droppedChunks: number;
  /** Lines compression took out. */
  droppedLines: number;
  /**
   * Whether compression took lines out (false when what was retrieved fit the budget, or when chunks
   * were dropped to fit because the compressor had not read them yet).
   */
  compressed: boolean;
  /** Retrieved chunks the compressor had not read yet (`waitForScores: false`): read in the background. */
  unscoredChunks: number;
  retrievalMs: number;
  compressionMs: number;
}

export interface GroundedContext {
  chunks: ContextChunk[];
  report: GroundingReport;
}

/**
 * Chunks of the workspace relevant to the code around the cursor (not the cursor's own lines), within
 * the budget: compressed by `options.compressor` when given, else as the retriever ranks and fits them.
 */
export async function groundCompletion(
  retriever: Retriever,
  request: CompletionRequest,
  cursorLine: number | undefined,
  options: GroundingOptions,
): Promise<GroundedContext> {
  const { budgetTokens, compressor } = options;
  const countTokens = options.countTokens ?? approximateTokenCount;
  const overfetch = compressor ? Math.max(1, options.overfetch ?? 2) : 1;
  const started = performance.now();
  const { query, from } = completionQuery(request, cursorLine);
  const retrieved = (
    await retriever.query(query, {
      k: Math.round(retrievedChunks * overfetch),
      budgetTokens: overfetch === 1 ? budgetTokens : Math.floor(budgetTokens * overfetch),
      countTokens: options.countTokens,
      from,
    })
  ).map((chunk) => ({ path: chunk.path, text: chunk.text }));
  const retrievalMs = performance.now() - started;
  const retrievedTokens = retrieved.reduce((sum, chunk) => sum + countTokens(chunk.text), 0);
  const report = {
    budgetTokens,
    retrievedChunks: retrieved.length,
    retrievedTokens,
    retrievalMs,
  };
  if (!compressor || retrievedTokens <= budgetTokens) {
    const kept = { keptChunks: retrieved.length, keptTokens: retrievedTokens, droppedChunks: 0 };
    return {
      chunks: retrieved,
      report: { ...report, ...kept, droppedLines: 0, compressed: false, unscoredChunks: 0, compressionMs: 0 },
    };
  }
  const fitted = await compressor.fit(retrieved, {
    budgetTokens,
    countTokens,
    protectedNames: namesAtCursor(request),
    signal: options.signal,
    waitForScores: options.waitForScores,
  });
  return {
    chunks: fitted.chunks,
    report: {
      ...report,
      keptChunks: fitted.chunks.length,
      keptTokens: fitted.tokens,
      droppedChunks: fitted.droppedChunks,
      droppedLines: fitted.droppedLines,
      compressed: fitted.compressed,
      unscoredChunks: fitted.unscoredChunks,
      compressionMs: performance.now() - started - retrievalMs,
    },
  };
}

/**
 * The retriever's query for a completion at `cursorLine` (0-based; undefined when unknown): the
 * lines around the cursor, and where they come from: chunks overlapping them are left out, and so are
 * the lines of the file the request's prefix and suffix hold, which the prompt holds already.
 */
export function completionQuery(
  request: CompletionRequest,
  cursorLine: number | undefined,
): { query: string; from?: QueryOptions["from"] } {
  const prefixLines = request.prefix.split("\n");
  const suffixLines = request.suffix.split("\n");
  const before = prefixLines.slice(-20);
  const after = suffixLines.slice(0, 5);
  const query = [...before, ...after].join("\n");
  if (cursorLine === undefined) return { query };
  return {
    query,
    from: {
      path: request.path,
      startLine: Math.max(0, cursorLine - before.length + 1),
      endLine: cursorLine + after.length - 1,
      promptLines: {
        startLine: Math.max(0, cursorLine - prefixLines.length + 1),
        endLine: cursorLine + suffixLines.length - 1,
      },
      cursor: { before: request.prefix, after: request.suffix },
    },
  };
}

/** Names on the cursor's line and the line before it: their definitions are kept whole. */
function namesAtCursor(request: CompletionRequest): Set<string> {
  const near = [...request.prefix.split("\n").slice(-2), request.suffix.split("\n")[0] ?? ""].join("\n");
  return new Set(identifiersIn(near));
}
