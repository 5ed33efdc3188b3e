/**
 * Code-aware terms for lexical ranking: every identifier-like word, lower-cased, both whole and split
 * into its camelCase / PascalCase / snake_case / kebab-case / digit parts, so `parseHTTPHeader2` is
 * found by `parse`, `http`, `header`, and by `parsehttpheader2` itself.
 */

const wordPattern = /[\p{L}\p{N}_$]+(?:-[\p{L}\p{N}_$]+)*/gu;
// Boundaries inside a word: lower→Upper, ACRONYM→Word (HTTPHeader → HTTP|Header), letter↔digit.
const partPattern = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[\p{L}]+/gu;

const minTermLength = 2;
const maxTermLength = 64;

/** The terms of a text, in order, with repeats (BM25 counts term frequency). */
export function codeTerms(text: string): string[] {
  const terms: string[] = [];
  for (const [word] of text.matchAll(wordPattern)) pushWordTerms(word, terms);
  return terms;
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
