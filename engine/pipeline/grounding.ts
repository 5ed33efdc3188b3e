import type { CompletionGenerator, ContextChunk } from "../completion/index.js";
import type { ContextCompressor } from "../compression/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";
import type { EngineCompletionRequest } from "../host/contract/index.js";
import type { StageClock } from "./stageClock.js";

/** Tokens of retrieved workspace code in a completion prompt. */
export const contextBudgetTokens = 512;

/**
 * The workspace code that grounds a completion prompt: the request's own chunks when it brings them,
 * none when `generator` answers without generating (a cached or typed-through answer), else what the
 * retriever finds near the cursor within the budget. With a compressor (the variant's draft), more
 * is retrieved and compressed to fit before any chunk is dropped; chunks the draft has not read yet
 * are read in the background rather than waited for, so a keystroke never waits for them.
 */
export async function groundingFor(
  request: EngineCompletionRequest,
  generator: CompletionGenerator,
  cooperators: WorkspaceCooperators | undefined,
  compressor: ContextCompressor | undefined,
  clock: StageClock,
  signal: AbortSignal,
): Promise<readonly ContextChunk[]> {
  if (request.chunks) return request.chunks;
  if (!cooperators || generator.answerWithoutGenerating(request) !== undefined) return [];
  const { chunks, report } = await cooperators.ground(request, request.cursorLine, {
    budgetTokens: contextBudgetTokens,
    compressor,
    signal,
    waitForScores: false,
  });
  clock.add("retrieval", report.retrievalMs);
  if (compressor) clock.add("prompt", report.compressionMs);
  return chunks;
}
