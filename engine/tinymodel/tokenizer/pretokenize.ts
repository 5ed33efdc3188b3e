import { codePointClassTable, LETTER, NUMBER, WHITESPACE } from "./codePointClasses.js";

/** The `tokenizer.ggml.pre` value whose splitting pretokenize reproduces. */
export const PRE_TOKENIZER = "qwen2";

/**
 * Qwen2's pre-tokenizer regex from its tokenizer.json, with the inline `(?i:...)` expanded.
 * llama.cpp does not run it through a regex engine: unicode.cpp recognises this exact string and
 * uses a hand-written scanner, which pretokenize mirrors step by step. (Test code checks the two agree.)
 */
export const QWEN2_PATTERN =
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}" +
  "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const APOSTROPHE = 0x27;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What llama.cpp sees of a JS string: UTF-8 conversion turns lone surrogates into U+FFFD. */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

// The only code points whose lowercase is one of the contraction letters are their ASCII capitals.
function asciiLower(cp: number): number {
  return cp >= 0x41 && cp <= 0x5a ? cp | 0x20 : cp;
}

function isLineBreak(cp: number): boolean {
  return cp === CR || cp === LF;
}

/** Splits text into pre-tokens exactly as llama.cpp does for `tokenizer.ggml.pre = "qwen2"`. */
export function pretokenize(text: string): string[] {
  const source = toWellFormed(text);
  const classes = codePointClassTable();

  const cps = new Uint32Array(source.length);
  const utf16At = new Uint32Array(source.length + 1);
  let n = 0;
  for (let i = 0; i < source.length; n++) {
    const cp = source.codePointAt(i)!;
    cps[n] = cp;
    utf16At[n] = i;
    i += cp > 0xffff ? 2 : 1;
  }
  utf16At[n] = source.length;

  // Past the end a position has no class at all, which is what stops every run.
  const classAt = (pos: number): number => (pos < n ? classes[cps[pos]!]! : 0);

  const pieces: string[] = [];
  let pos = 0;
  while (pos < n) {
    const start = pos;
    pos = endOfPiece(start);
    pieces.push(source.slice(utf16At[start], utf16At[pos]));
  }
  return pieces;

  function endOfPiece(pos: number): number {
    const cp = cps[pos]!;
    const cls = classAt(pos);

    // '[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]
    if (cp === APOSTROPHE && pos + 1 < n) {
      const next = asciiLower(cps[pos + 1]!);
      if (next === 0x73 || next === 0x74 || next === 0x6d || next === 0x64) return pos + 2;
      if (pos + 2 < n) {
        const pair = String.fromCharCode(next, asciiLower(cps[pos + 2]!));
        if (pair === "re" || pair === "ve" || pair === "ll") return pos + 3;
      }
    }

    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!isLineBreak(cp) && !(cls & NUMBER) && (cls & LETTER || classAt(pos + 1) & LETTER)) {
      pos++;
      while (classAt(pos) & LETTER) pos++;
      return pos;
    }

    // \p{N}
    if (cls & NUMBER) return pos + 1;

    // ` ?[^\s\p{L}\p{N}]+[\r\n]*` — a lone trailing space at the very end also lands here.
    const word = WHITESPACE | LETTER | NUMBER;
    const runStart = cp === SPACE ? pos + 1 : pos;
    if (runStart >= n || !(classAt(runStart) & word)) {
      pos = runStart;
      while (pos < n && !(classAt(pos) & word)) pos++;
      while (pos < n && isLineBreak(cps[pos]!)) pos++;
      return pos;
    }

    let runEnd = pos;
    let afterLastLineBreak = -1;
    while (classAt(runEnd) & WHITESPACE) {
      if (isLineBreak(cps[runEnd]!)) afterLastLineBreak = runEnd + 1;
      runEnd++;
    }
    // \s*[\r\n]+
    if (afterLastLineBreak >= 0) return afterLastLineBreak;
    // \s+(?!\S): leave the last space to prefix the word that follows
    if (runEnd - pos > 1 && runEnd < n) return runEnd - 1;
    // \s+
    if (runEnd > pos) return runEnd;
    return pos + 1;
  }
}
