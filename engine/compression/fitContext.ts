import type { ContextChunk } from "../completion/index.js";
import { fitToBudget } from "../retriever/index.js";
import { compressContext } from "./compressContext.js";
import type { FitRequest, FittedContext } from "./contextCompressor.js";

/**
 * The fitting a ContextCompressor does, over any line scorer: nothing when the chunks fit; else the
 * chunks compressed line by line (compressContext: the least informative lines first, signatures
 * last, definitions of names at the cursor never); and only when the lines that must stay exceed the
 * budget, the last chunks dropped one by one before compressing the rest again (the scorer is asked
 * again for the same chunks: cache it).
 */
export async function fitContext(
  chunks: readonly ContextChunk[],
  request: FitRequest,
  lineSelfInformation: (lines: string[]) => Promise<number[]>,
): Promise<FittedContext> {
  const textTokens = (list: readonly ContextChunk[]): number => contextTokens(list, request.countTokens);
  const all = textTokens(chunks);
  if (all <= request.budgetTokens) return uncompressed(chunks, chunks.length, request);
  for (let count = chunks.length; count > 0; count--) {
    const compressed = await compressContext(chunks.slice(0, count), {
      budgetTokens: request.budgetTokens,
      countTokens: request.countTokens,
      lineSelfInformation,
      protectedNames: request.protectedNames ?? new Set(),
      countPaths: false,
      signaturesLast: true,
    });
    const tokens = textTokens(compressed.chunks);
    if (tokens <= request.budgetTokens) {
      return {
        chunks: compressed.chunks,
        tokens,
        droppedLines: compressed.droppedLines,
        droppedChunks: chunks.length - compressed.chunks.length,
        compressed: true,
        unscoredChunks: 0,
      };
    }
  }
  return uncompressed([], chunks.length, request);
}

/** Tokens of the chunks' text, as a budget counts them. */
export function contextTokens(
  chunks: readonly ContextChunk[],
  countTokens: (text: string) => number,
): number {
  return chunks.reduce((sum, chunk) => sum + countTokens(chunk.text), 0);
}

/** The chunks, in order, that fit whole (one too large is skipped for smaller ones after it). */
export function dropToFit(
  chunks: readonly ContextChunk[],
  request: FitRequest,
  unscoredChunks: number,
): FittedContext {
  const kept = fitToBudget(chunks, request.budgetTokens, request.countTokens);
  return { ...uncompressed(kept, chunks.length, request), unscoredChunks };
}

function uncompressed(kept: readonly ContextChunk[], given: number, request: FitRequest): FittedContext {
  return {
    chunks: [...kept],
    tokens: contextTokens(kept, request.countTokens),
    droppedLines: 0,
    droppedChunks: given - kept.length,
    compressed: false,
    unscoredChunks: 0,
  };
}
