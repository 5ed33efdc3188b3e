/** A fenced code block of a Markdown answer. */
export interface FencedCodeBlock {
  /** 0-based position among the answer's fenced code blocks. */
  index: number;
  /** The info string's first word (```ts → "ts"), as written. */
  language?: string;
  code: string;
  /** False for a last block the answer ended inside (it was stopped or cut at its token limit). */
  terminated: boolean;
}

interface OpenFence {
  char: "`" | "~";
  length: number;
  indent: number;
  language?: string;
  lines: string[];
}

const openingFence = /^( *)(`{3,}|~{3,})(.*)$/;

/**
 * The fenced code blocks (``` or ~~~) of a Markdown text. A block closes at a fence of the same
 * character at least as long as the one that opened it; content lines lose the opening fence's
 * indentation (models indent blocks inside list items). A block the text ends inside is returned
 * with what it holds, less a closing fence cut halfway.
 */
export function extractCodeBlocks(markdown: string): FencedCodeBlock[] {
  const blocks: FencedCodeBlock[] = [];
  let open: OpenFence | undefined;
  const lines = markdown.split("\n");
  for (const rawLine of lines) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (open) {
      if (closes(line, open)) {
        blocks.push({ index: blocks.length, language: open.language, code: open.lines.join("\n"), terminated: true });
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
    // A backtick fence's info string cannot hold backticks (that is inline code, not a fence).
    if (fence[0] === "`" && info.includes("`")) continue;
    const language = info.split(/\s+/)[0];
    open = { char: fence[0] as "`" | "~", length: fence.length, indent: match[1]!.length, language: language === "" ? undefined : language, lines: [] };
  }
  if (open) {
    const last = open.lines.at(-1);
    // The text ended after a newline, or on a fence cut halfway: neither is code.
    if (last !== undefined && (last === "" || isPartialFence(last, open))) open.lines.pop();
    blocks.push({ index: blocks.length, language: open.language, code: open.lines.join("\n"), terminated: false });
  }
  return blocks;
}

function closes(line: string, open: OpenFence): boolean {
  const trimmed = line.trim();
  return trimmed.length >= open.length && [...trimmed].every((char) => char === open.char);
}

/** A line the text ended on that could have become the closing fence. */
function isPartialFence(line: string, open: OpenFence): boolean {
  const trimmed = line.trim();
  return trimmed.length > 0 && trimmed.length < open.length && [...trimmed].every((char) => char === open.char);
}

function stripIndent(line: string, indent: number): string {
  let cut = 0;
  while (cut < indent && line[cut] === " ") cut++;
  return line.slice(cut);
}
