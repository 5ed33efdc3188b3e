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

/** Where a fenced code block's lines are in the text, with the fence that opened it. */
export interface CodeBlockSpan {
  index: number;
  /** Offset of the first content line (just after the opening fence's line break). */
  bodyStart: number;
  /** Offset of the closing fence's line, or the text's end for a block the text ends inside. */
  bodyEnd: number;
  terminated: boolean;
  fence: { char: "`" | "~"; length: number; indent: number };
}

/**
 * The fenced code blocks (``` or ~~~) of a Markdown text. A block closes at a fence of the same
 * character at least as long as the one that opened it; content lines lose the opening fence's
 * indentation (models indent blocks inside list items). A block the text ends inside is returned
 * with what it holds, less a closing fence cut halfway.
 */
export function extractCodeBlocks(markdown: string): FencedCodeBlock[] {
  return scanFences(markdown).map(({ block }) => block);
}

/** Where each fenced code block's body lies in the text (see extractCodeBlocks for what a block is). */
export function codeBlockSpans(markdown: string): CodeBlockSpan[] {
  return scanFences(markdown).map(({ span }) => span);
}

/** Whether `line` closes a block opened by `fence` (same character, at least as long, nothing else). */
export function closesFence(line: string, fence: { char: "`" | "~"; length: number }): boolean {
  return closes(line.endsWith("\r") ? line.slice(0, -1) : line, fence);
}

function scanFences(markdown: string): { block: FencedCodeBlock; span: CodeBlockSpan }[] {
  const found: { block: FencedCodeBlock; span: CodeBlockSpan }[] = [];
  let open: (OpenFence & { bodyStart: number }) | undefined;
  let lineStart = 0;
  const lines = markdown.split("\n");
  for (const rawLine of lines) {
    const start = lineStart;
    lineStart += rawLine.length + 1;
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (open) {
      if (closes(line, open)) {
        const index = found.length;
        found.push({
          block: { index, language: open.language, code: open.lines.join("\n"), terminated: true },
          span: {
            index,
            bodyStart: open.bodyStart,
            bodyEnd: start,
            terminated: true,
            fence: { char: open.char, length: open.length, indent: open.indent },
          },
        });
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
    open = {
      char: fence[0] as "`" | "~",
      length: fence.length,
      indent: match[1]!.length,
      language: language === "" ? undefined : language,
      lines: [],
      bodyStart: Math.min(lineStart, markdown.length),
    };
  }
  if (open) {
    const last = open.lines.at(-1);
    // The text ended after a newline, or on a fence cut halfway: neither is code.
    if (last !== undefined && (last === "" || isPartialFence(last, open))) open.lines.pop();
    const index = found.length;
    found.push({
      block: { index, language: open.language, code: open.lines.join("\n"), terminated: false },
      span: {
        index,
        bodyStart: open.bodyStart,
        bodyEnd: markdown.length,
        terminated: false,
        fence: { char: open.char, length: open.length, indent: open.indent },
      },
    });
  }
  return found;
}

function closes(line: string, open: { char: "`" | "~"; length: number }): boolean {
  const trimmed = line.trim();
  return trimmed.length >= open.length && [...trimmed].every((char) => char === open.char);
}

/** A line the text ended on that could have become the closing fence. */
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
