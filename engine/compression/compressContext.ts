import type { ContextChunk } from "../completion/index.js";
import { extractDefinitions, languageForPath } from "../syntax/index.js";

export interface CompressionOptions {
  budgetTokens: number;
  /** Tokens of a text, as the prompt's model counts them. */
  countTokens: (text: string) => number;
  /** Self-information (-log p, in nats) of each line of a text, as a small model reads it. */
  lineSelfInformation: (lines: string[]) => Promise<number[]>;
  /** Names used at the cursor: lines of their definitions are never dropped. */
  protectedNames: ReadonlySet<string>;
}

export interface CompressedContext {
  chunks: ContextChunk[];
  tokens: number;
  droppedLines: number;
}

interface Line {
  chunk: number;
  index: number;
  text: string;
  tokens: number;
  information: number;
  protected: boolean;
}

/**
 * Fits retrieved context into a token budget the way LLMLingua does, at line granularity: lines the
 * draft model finds least informative (lowest self-information per token) go first, but never a line
 * of a definition of a name used at the cursor. Kept lines stay in their order.
 */
export async function compressContext(
  chunks: readonly ContextChunk[],
  options: CompressionOptions,
): Promise<CompressedContext> {
  const lines: Line[] = [];
  for (const [chunkIndex, chunk] of chunks.entries()) {
    const texts = chunk.text.split("\n");
    const information = await options.lineSelfInformation(texts);
    const protectedLines = await definitionLines(chunk, options.protectedNames);
    texts.forEach((text, index) => {
      lines.push({
        chunk: chunkIndex,
        index,
        text,
        tokens: options.countTokens(`${text}\n`),
        information: information[index] ?? 0,
        protected: protectedLines.has(index),
      });
    });
  }
  const headerTokens = chunks.reduce((sum, chunk) => sum + options.countTokens(`${chunk.path}\n`), 0);
  let total = headerTokens + lines.reduce((sum, line) => sum + line.tokens, 0);
  const dropped = new Set<Line>();
  const candidates = lines
    .filter((line) => !line.protected)
    .sort((a, b) => a.information / Math.max(1, a.tokens) - b.information / Math.max(1, b.tokens));
  for (const line of candidates) {
    if (total <= options.budgetTokens) break;
    dropped.add(line);
    total -= line.tokens;
  }
  const kept = chunks
    .map((chunk, chunkIndex) => ({
      path: chunk.path,
      text: lines
        .filter((line) => line.chunk === chunkIndex && !dropped.has(line))
        .map((line) => line.text)
        .join("\n"),
    }))
    .filter((chunk) => chunk.text.trim() !== "");
  return { chunks: kept, tokens: total, droppedLines: dropped.size };
}

/** The 0-based lines of a chunk that belong to definitions of the protected names. */
async function definitionLines(chunk: ContextChunk, names: ReadonlySet<string>): Promise<Set<number>> {
  const protectedLines = new Set<number>();
  if (names.size === 0) return protectedLines;
  const language = languageForPath(chunk.path);
  if (language === undefined) return protectedLines;
  for (const definition of await extractDefinitions(chunk.text, language)) {
    if (!names.has(definition.name)) continue;
    for (let line = definition.startLine; line <= definition.endLine; line++) protectedLines.add(line);
  }
  return protectedLines;
}
