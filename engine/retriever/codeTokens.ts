/**
 * Code-aware terms for lexical ranking: every identifier-like word, lower-cased, both whole and split
 * into its camelCase / PascalCase / snake_case / kebab-case / digit parts, so `parseHTTPHeader2` is
 * found by `parse`, `http`, `header`, and by `parsehttpheader2` itself.
 */

// Boundaries inside a word: lower→Upper, ACRONYM→Word (HTTPHeader → HTTP|Header), letter↔digit.
const partPattern = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[\p{L}]+/gu;

const minTermLength = 2;
const maxTermLength = 64;

/** The terms of a text, in order, with repeats (BM25 counts term frequency). */
export function codeTerms(text: string): string[] {
  const terms: string[] = [];
  forEachCodeTerm(text, (term) => terms.push(term));
  return terms;
}

/** Calls `visit` with each term of a text, in order, with repeats (no array of them is built). */
export function forEachCodeTerm(text: string, visit: (term: string) => void): void {
  forEachCodeWord(text, (word) => {
    for (const term of wordTerms(word)) visit(term);
  });
}

/**
 * Calls `visit` with each word of a text, in order, with repeats: runs of word characters
 * (`[\p{L}\p{N}_$]`) and runs of them joined by single hyphens (kebab-case). A word's terms are
 * {@link wordTerms}.
 */
export function forEachCodeWord(text: string, visit: (word: string) => void): void {
  forEachCodeWordSpan(text, (start, end) => visit(text.slice(start, end)));
}

/**
 * {@link forEachCodeWord} by position: each word is text[start, end), and no substring is made. `hash` is
 * the word's {@link spanHash}, worked out on the way.
 */
export function forEachCodeWordSpan(
  text: string,
  visit: (start: number, end: number, hash: number) => void,
): void {
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    const first = code < 128 ? asciiWordCharacter[code]! : wordCharacterLength(text, index);
    if (first === 0) {
      index++;
      continue;
    }
    const start = index;
    let hash = Math.imul(fnvOffset ^ code, fnvPrime);
    if (first === 2) hash = Math.imul(hash ^ text.charCodeAt(index + 1), fnvPrime);
    index += first;
    for (;;) {
      if (index >= length) break;
      const next = text.charCodeAt(index);
      if (next < 128) {
        if (asciiWordCharacter[next] === 1) {
          hash = Math.imul(hash ^ next, fnvPrime);
          index++;
          continue;
        }
        if (next === 45 && wordCharacterLength(text, index + 1) > 0) {
          hash = Math.imul(hash ^ next, fnvPrime);
          index++;
          continue;
        }
        break;
      }
      const wide = wordCharacterLength(text, index);
      if (wide === 0) break;
      hash = Math.imul(hash ^ next, fnvPrime);
      if (wide === 2) hash = Math.imul(hash ^ text.charCodeAt(index + 1), fnvPrime);
      index += wide;
    }
    visit(start, index, hash);
  }
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** FNV-1a over the UTF-16 code units of text[start, end): the hash {@link forEachCodeWordSpan} gives. */
export function spanHash(text: string, start: number, end: number): number {
  let hash = fnvOffset;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ text.charCodeAt(index), fnvPrime);
  return hash;
}

/** A word's terms (see {@link forEachCodeWord}): worked out once per word, then cached. */
function wordTerms(word: string): readonly string[] {
  let terms = termsOfWord.get(word);
  if (terms === undefined) {
    terms = splitWord(word);
    if (termsOfWord.size >= maxCachedWords) termsOfWord.clear();
    termsOfWord.set(word, terms);
  }
  return terms;
}

/** A word's terms, in order, with repeats: the whole word, then its parts when it has several. */
export function splitWord(word: string): string[] {
  const terms: string[] = [];
  pushWordTerms(word, terms);
  return terms;
}

/** Code repeats its words: each word's terms are worked out once (the cache starts over when full). */
const termsOfWord = new Map<string, string[]>();
const maxCachedWords = 200_000;
const nonAsciiWordCharacter = /^[\p{L}\p{N}]$/u;

/** 1 for the ASCII word characters (letters, digits, `_`, `$`), else 0. */
const asciiWordCharacter = new Uint8Array(128);
for (let code = 0; code < 128; code++)
  asciiWordCharacter[code] =
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 36
      ? 1
      : 0;

/**
 * How many code units the character at `index` takes when it is a word character (`[\p{L}\p{N}_$]`),
 * 0 when it is not (or the text ends): ASCII is decided without a regular expression.
 */
function wordCharacterLength(text: string, index: number): number {
  if (index >= text.length) return 0;
  const code = text.charCodeAt(index);
  if (code < 128) return asciiWordCharacter[code]!;
  const character = String.fromCodePoint(text.codePointAt(index)!);
  return nonAsciiWordCharacter.test(character) ? character.length : 0;
}

/** Identifiers as written (not lower-cased, not split) that appear in a text, each once. */
export function identifiersIn(text: string): string[] {
  const seen = new Set<string>();
  for (const [word] of text.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)) seen.add(word);
  return [...seen];
}

function pushWordTerms(word: string, terms: string[]): void {
  const whole = word.toLowerCase();
  if (whole.length >= minTermLength && whole.length <= maxTermLength) terms.push(whole);
  const parts: string[] = [];
  if (isAscii(word)) asciiParts(word, parts);
  else
    for (const segment of word.split(/[-_$]+/)) {
      for (const [part] of segment.matchAll(partPattern)) parts.push(part.toLowerCase());
    }
  if (parts.length < 2) return;
  for (const part of parts) {
    if (part.length >= minTermLength && part.length <= maxTermLength) terms.push(part);
  }
}

function isAscii(word: string): boolean {
  for (let index = 0; index < word.length; index++) if (word.charCodeAt(index) >= 128) return false;
  return true;
}

const isUpper = (code: number): boolean => code >= 65 && code <= 90;
const isLower = (code: number): boolean => code >= 97 && code <= 122;
const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * {@link partPattern} on an ASCII word, lower-cased, without a regular expression: `-`, `_` and `$`
 * separate; an upper-case run followed by a lower-case letter leaves its last letter to the next part
 * (HTTPHeader → http, header); one upper-case letter starts a lower-case run; digits are their own part.
 */
function asciiParts(word: string, parts: string[]): void {
  const length = word.length;
  let index = 0;
  while (index < length) {
    const code = word.charCodeAt(index);
    const start = index;
    if (isUpper(code)) {
      let end = index + 1;
      while (end < length && isUpper(word.charCodeAt(end))) end++;
      const lowerAfter = end < length && isLower(word.charCodeAt(end));
      if (end - start >= 2 && lowerAfter) index = end - 1;
      else if (lowerAfter) {
        index = end;
        while (index < length && isLower(word.charCodeAt(index))) index++;
      } else index = end;
    } else if (isLower(code)) {
      index++;
      while (index < length && isLower(word.charCodeAt(index))) index++;
    } else if (isDigit(code)) {
      index++;
      while (index < length && isDigit(word.charCodeAt(index))) index++;
    } else {
      index++; // a separator: `-`, `_` or `$`
      continue;
    }
    parts.push(word.slice(start, index).toLowerCase());
  }
}
