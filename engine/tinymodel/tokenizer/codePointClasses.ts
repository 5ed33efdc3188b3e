import { LETTER_RANGES, NUMBER_RANGES } from "./unicodeRanges.js";

export const LETTER = 1;
export const NUMBER = 2;
export const WHITESPACE = 4;

// llama.cpp's own whitespace set (unicode-data.cpp). It differs from JS's \s: U+0085 is whitespace
// here, U+FEFF is not.
export const WHITESPACE_CODE_POINTS: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

let table: Uint8Array | undefined;

function markRanges(into: Uint8Array, ranges: string, flag: number): void {
  for (const range of ranges.split(/\s+/)) {
    if (range === "") continue;
    const [first = "", last = first] = range.split("-");
    const end = parseInt(last, 16);
    for (let cp = parseInt(first, 16); cp <= end; cp++) into[cp]! |= flag;
  }
}

/** Flags (LETTER | NUMBER | WHITESPACE) for every code point, built on first use (1.1 MB). */
export function codePointClassTable(): Uint8Array {
  if (table === undefined) {
    const built = new Uint8Array(0x110000);
    markRanges(built, LETTER_RANGES, LETTER);
    markRanges(built, NUMBER_RANGES, NUMBER);
    for (const cp of WHITESPACE_CODE_POINTS) built[cp]! |= WHITESPACE;
    table = built;
  }
  return table;
}
