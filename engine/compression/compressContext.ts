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
  /**
   * Count each chunk's path line in the budget (default true: a prompt spends tokens on it); false for a
   * budget of the chunks' text alone, as the retriever's is.
   */
  countPaths?: boolean;
  /**
   * Lines that start a definition (a signature: its name, parameters, types) go only after every
   * other line (default false): what code is called matters more than how it is written.
   */
  signaturesLast?: boolean;
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
  signature: boolean;
}

/**
 * Fits retrieved context into a token budget the way LLMLingua does, at line granularity: lines the
 * draft model finds least informative (lowest self-information per token) go first, but never a line
 * of a definition of a name used at the cursor (and, with `signaturesLast`, signatures after the other
 * lines). Kept lines stay in their order.
 */
export async function compressContext(
  chunks: readonly ContextChunk[],
  options: CompressionOptions,
): Promise<CompressedContext> {
  const lines: Line[] = [];
  for (const [chunkIndex, chunk] of chunks.entries()) {
    const texts = chunk.text.split("\n");
    const information = await options.lineSelfInformation(texts);
    const { protectedLines, signatures } = await definitionLines(chunk, options);
    texts.forEach((text, index) => {
      lines.push({
        chunk: chunkIndex,
        index,
        text,
        tokens: options.countTokens(`${text}\n`),
        information: information[index] ?? 0,
        protected: protectedLines.has(index),
        signature: signatures.has(index),
      });
    });
  }
  const headerTokens =
    options.countPaths === false
      ? 0
      : chunks.reduce((sum, chunk) => sum + options.countTokens(`${chunk.path}\n`), 0);
  let total = headerTokens + lines.reduce((sum, line) => sum + line.tokens, 0);
  const dropped = new Set<Line>();
  const perToken = (line: Line): number => line.information / Math.max(1, line.tokens);
  const candidates = lines
    .filter((line) => !line.protected)
    .sort((a, b) => Number(a.signature) - Number(b.signature) || perToken(a) - perToken(b));
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

/**
 * The 0-based lines of a chunk that belong to definitions of the protected names, and, with
 * `signaturesLast`, the first line of each definition.
 */
async function definitionLines(
  chunk: ContextChunk,
  options: Pick<CompressionOptions, "protectedNames" | "signaturesLast">,
): Promise<{ protectedLines: Set<number>; signatures: Set<number> }> {
  const protectedLines = new Set<number>();
  const signatures = new Set<number>();
  const names = options.protectedNames;
  const language = languageForPath(chunk.path);
  if (language === undefined || (names.size === 0 && options.signaturesLast !== true))
    return { protectedLines, signatures };
  for (const definition of await extractDefinitions(chunk.text, language)) {
    if (options.signaturesLast === true) signatures.add(definition.startLine);
    if (!names.has(definition.name)) continue;
    for (let line = definition.startLine; line <= definition.endLine; line++) protectedLines.add(line);
  }
  return { protectedLines, signatures };
}
