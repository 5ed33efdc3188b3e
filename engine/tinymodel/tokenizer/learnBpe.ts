import { byteToTokenChar } from "./byteUnicode.js";
import { pretokenize } from "./pretokenize.js";
import { ID_LIMIT, leftOf, PairQueue, pairKey, rightOf } from "./pairQueue.js";

export interface LearnBpeOptions {
  /** Final vocabulary size including the reserved (special) slots. */
  vocabSize: number;
  /** Slots kept free for special tokens; learning stops at tokens.length + reservedTokens === vocabSize. */
  reservedTokens: number;
}

export interface LearnedBpe {
  /** Merge rules in rank order; each pair's concatenation is a token. */
  merges: [string, string][];
  /** The 256 byte tokens in byte order, then the merged tokens in the order they were learned. */
  tokens: string[];
}

interface Word {
  symbols: number[];
  count: number;
}

/**
 * Byte-level BPE training over qwen2 pre-tokens. Each step merges the most frequent adjacent pair;
 * ties go to the pair whose merge line `left right` sorts first by UTF-16 code units. A merge whose
 * text is already a token (e.g. "a"+"bc" after "ab"+"c") is recorded but adds no token. Stops early
 * if no adjacent pair is left, so tokens.length + reservedTokens may then fall short of vocabSize.
 */
export function learnBpe(
  texts: Iterable<string>,
  { vocabSize, reservedTokens }: LearnBpeOptions,
): LearnedBpe {
  const targetTokens = vocabSize - reservedTokens;
  if (!Number.isInteger(targetTokens) || targetTokens < 256 || vocabSize > ID_LIMIT) {
    throw new RangeError(
      `vocabSize ${vocabSize} with ${reservedTokens} reserved leaves no room for the 256 byte tokens`,
    );
  }

  const tokens: string[] = [];
  for (let byte = 0; byte < 256; byte++) tokens.push(byteToTokenChar(byte));
  const idOfText = new Map(tokens.map((text, id) => [text, id]));
  const merges: [string, string][] = [];

  const words = countWords(texts);
  const pairCounts = new Map<number, number>();
  const wordsWithPair = new Map<number, Set<number>>();
  words.forEach((word, index) => addPairs(word, index, +1));

  const queue = new PairQueue(tokens);
  for (const [key, count] of pairCounts) queue.push(key, count);

  while (tokens.length < targetTokens) {
    const best = queue.popCurrent(pairCounts);
    if (best === undefined) break;
    const left = leftOf(best);
    const right = rightOf(best);
    const mergedText = tokens[left]! + tokens[right]!;
    let mergedId = idOfText.get(mergedText);
    if (mergedId === undefined) {
      mergedId = tokens.push(mergedText) - 1;
      idOfText.set(mergedText, mergedId);
    }
    merges.push([tokens[left]!, tokens[right]!]);

    const changed = new Set<number>();
    for (const index of wordsWithPair.get(best) ?? []) {
      const word = words[index]!;
      const merged = mergeSymbols(word.symbols, left, right, mergedId);
      if (merged === word.symbols) continue;
      addPairs(word, index, -1, changed);
      word.symbols = merged;
      addPairs(word, index, +1, changed);
    }
    wordsWithPair.delete(best);
    for (const key of changed) queue.push(key, pairCounts.get(key) ?? 0);
  }
  return { merges, tokens };

  function addPairs(word: Word, index: number, sign: 1 | -1, changed?: Set<number>): void {
    const { symbols, count } = word;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = pairKey(symbols[i]!, symbols[i + 1]!);
      const updated = (pairCounts.get(key) ?? 0) + sign * count;
      if (updated > 0) pairCounts.set(key, updated);
      else pairCounts.delete(key);
      changed?.add(key);
      if (sign > 0) {
        let holders = wordsWithPair.get(key);
        if (holders === undefined) wordsWithPair.set(key, (holders = new Set()));
        holders.add(index);
      }
    }
  }
}

function countWords(texts: Iterable<string>): Word[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of pretokenize(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  const encoder = new TextEncoder();
  const words: Word[] = [];
  for (const [piece, count] of counts) {
    const symbols = Array.from(encoder.encode(piece));
    if (symbols.length > 1) words.push({ symbols, count });
  }
  return words;
}

/** Replaces non-overlapping (left, right) occurrences scanning left to right; same array if none. */
function mergeSymbols(symbols: number[], left: number, right: number, mergedId: number): number[] {
  let merged: number[] | undefined;
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      merged ??= symbols.slice(0, i);
      merged.push(mergedId);
      i++;
    } else {
      merged?.push(symbols[i]!);
    }
  }
  return merged ?? symbols;
}
