/** A piece of a file that the retriever ranks and returns. Lines are 0-based and inclusive. */
export interface SourceChunk {
  startLine: number;
  endLine: number;
  /** What the chunk is: a syntax node type such as `function_declaration`, or `lines`. */
  kind: string;
  /** The name of what it defines, when it defines one thing. */
  name?: string;
  text: string;
}

/**
 * Consecutive windows of at most `maxLines` lines, overlapping by a few lines so no statement is only ever
 * cut.
 */
export function lineWindowChunks(source: string, maxLines: number): SourceChunk[] {
  const lines = source.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const overlap = Math.min(5, Math.floor(maxLines / 5));
  const step = Math.max(1, maxLines - overlap);
  const chunks: SourceChunk[] = [];
  for (let start = 0; start < lines.length; start += step) {
    const end = Math.min(lines.length, start + maxLines) - 1;
    const text = lines.slice(start, end + 1).join("\n");
    if (text.trim() !== "") chunks.push({ startLine: start, endLine: end, kind: "lines", text });
    if (end === lines.length - 1) break;
  }
  return chunks;
}
