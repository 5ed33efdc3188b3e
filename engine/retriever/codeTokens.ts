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
  let index = 0;
  while (index < text.length) {
    const first = wordCharacterLength(text, index);
    if (first === 0) {
      index++;
      continue;
    }
    const start = index;
    index += first;
    // A word: word characters, and runs of them joined by single hyphens (kebab-case).
    for (;;) {
      const length = wordCharacterLength(text, index);
      if (length > 0) index += length;
      else if (text.charCodeAt(index) === 45 && wordCharacterLength(text, index + 1) > 0) index++;
      else break;
    }
    const word = text.slice(start, index);
    let wordTerms = termsOfWord.get(word);
    if (wordTerms === undefined) {
      wordTerms = [];
      pushWordTerms(word, wordTerms);
      if (termsOfWord.size >= maxCachedWords) termsOfWord.clear();
      termsOfWord.set(word, wordTerms);
    }
    for (const term of wordTerms) visit(term);
  }
}

/** Code repeats its words: each word's terms are worked out once (the cache starts over when full). */
const termsOfWord = new Map<string, string[]>();
const maxCachedWords = 200_000;
const nonAsciiWordCharacter = /^[\p{L}\p{N}]$/u;

/**
 * How many code units the character at `index` takes when it is a word character (`[\p{L}\p{N}_$]`),
 * 0 when it is not (or the text ends): ASCII is decided without a regular expression.
 */
function wordCharacterLength(text: string, index: number): number {
  if (index >= text.length) return 0;
  const code = text.charCodeAt(index);
  if (code < 128)
    return (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      code === 95 ||
      code === 36
      ? 1
      : 0;
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
  for (const segment of word.split(/[-_$]+/)) {
    for (const [part] of segment.matchAll(partPattern)) parts.push(part.toLowerCase());
  }
  if (parts.length < 2) return;
  for (const part of parts) {
    if (part.length >= minTermLength && part.length <= maxTermLength) terms.push(part);
  }
}
