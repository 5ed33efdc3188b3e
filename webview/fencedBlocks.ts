/**
 * The fenced code blocks of an answer, found by the engine's rules (engine/chat/codeBlocks.ts), so
 * that the detector's findings, which name a block by its index, land on the block the view shows.
 * test/webview/fencedBlocks.test.ts checks both agree. These rules are simpler than CommonMark's:
 * a fence is a line of 3+ ` or ~ after any spaces, closed by a line of the same character at least
 * as long; fences in > quotes are not blocks.
 */
export interface FencedCodeBlock {
  /** 0-based position among the answer's fenced code blocks. */
  index: number;
  /** The info string's first word (```ts → "ts"). */
  language?: string;
  code: string;
  /** False while its closing fence has not arrived (the answer is streaming, was stopped or cut). */
  closed: boolean;
  /** Lines of the text the block spans, fences included: [startLine, endLine). */
  startLine: number;
  endLine: number;
}

interface OpenFence {
  char: string;
  length: number;
  indent: number;
  language?: string;
  startLine: number;
  lines: string[];
}

const openingFence = /^( *)(`{3,}|~{3,})(.*)$/;

export function fencedCodeBlocks(text: string): FencedCodeBlock[] {
  const blocks: FencedCodeBlock[] = [];
  const lines = text.split("\n");
  let open: OpenFence | undefined;
  for (let lineNumber = 0; lineNumber < lines.length; lineNumber++) {
    const rawLine = lines[lineNumber]!;
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (open) {
      if (closes(line, open)) {
        blocks.push(block(blocks.length, open, open.lines, true, lineNumber + 1));
        open = undefined;
      } else {
        open.lines.push(stripIndent(line, open.indent));
      }
      continue;
    }
    const match = openingFence.exec(line);
    if (!match) continue;
    const fence = match[2]!;
    const info = match[3]!.trim();
    // A backtick fence's info string cannot hold a backtick (that is inline code).
    if (fence[0] === "`" && info.includes("`")) continue;
    const language = info.split(/\s+/)[0];
    open = {
      char: fence[0]!,
      length: fence.length,
      indent: match[1]!.length,
      ...(language ? { language } : {}),
      startLine: lineNumber,
      lines: [],
    };
  }
  if (open) {
    const last = open.lines.at(-1);
    // The text ended after a newline, or inside what may become the closing fence: neither is code.
    const code =
      last !== undefined && (last === "" || isPartialFence(last, open))
        ? open.lines.slice(0, -1)
        : open.lines;
    blocks.push(block(blocks.length, open, code, false, lines.length));
  }
  return blocks;
}

function block(
  index: number,
  open: OpenFence,
  code: string[],
  closed: boolean,
  endLine: number,
): FencedCodeBlock {
  return {
    index,
    ...(open.language ? { language: open.language } : {}),
    code: code.join("\n"),
    closed,
    startLine: open.startLine,
    endLine,
  };
}

function closes(line: string, open: OpenFence): boolean {
  const trimmed = line.trim();
  return trimmed.length >= open.length && [...trimmed].every((char) => char === open.char);
}

function isPartialFence(line: string, open: OpenFence): boolean {
  const trimmed = line.trim();
  return (
    trimmed.length > 0 && trimmed.length < open.length && [...trimmed].every((char) => char === open.char)
  );
}

function stripIndent(line: string, indent: number): string {
  let cut = 0;
  while (cut < indent && line[cut] === " ") cut++;
  return line.slice(cut);
}
