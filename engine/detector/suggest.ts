/** Words of an identifier: camelCase, PascalCase, snake_case, kebab-case and digits split, lower-cased. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

// Three reused rows: suggestions run edit distance against hundreds of names per finding.
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * Optimal string alignment distance (Levenshtein with adjacent transpositions), stopping early above limit.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (rows[0]!.length <= b.length) rows = [0, 1, 2].map(() => new Int32Array(b.length * 2 + 1));
  let [beforePrevious, previous, current] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj)
        value = Math.min(value, beforePrevious[j - 2]! + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[b.length]!;
}

// Candidate pools (built-ins, workspace names) repeat across checks: remember their words.
const wordsCache = new Map<string, string[]>();
const maxCachedWords = 100_000;

function cachedWords(name: string): string[] {
  let words = wordsCache.get(name);
  if (words === undefined) {
    if (wordsCache.size >= maxCachedWords) wordsCache.clear();
    wordsCache.set(name, (words = identifierWords(name)));
  }
  return words;
}

function wordOverlap(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0 || !a.some((word) => b.includes(word))) return 0;
  const right = new Set(b);
  const shared = new Set(a.filter((word) => right.has(word))).size;
  return shared / new Set([...a, ...b]).size;
}

/**
 * The candidates nearest a wrong name, best first: same name ignoring case, then small edit distance
 * (case-insensitive, at most a third of the length), then names sharing most of their words.
 */
export function nearestNames(wrong: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = wrong.toLowerCase();
  const words = identifierWords(wrong);
  const maxDistance = Math.max(1, Math.floor(wrong.length / 3));
  const scored = new Map<string, number>();
  for (const candidate of candidates) {
    if (candidate === wrong || scored.has(candidate)) continue;
    let score: number | undefined;
    const closeInLength = Math.abs(candidate.length - wrong.length) <= maxDistance;
    const candidateLower = closeInLength ? candidate.toLowerCase() : "";
    if (closeInLength && candidateLower === lower) score = 0;
    else {
      const distance = closeInLength ? editDistance(lower, candidateLower, maxDistance) : maxDistance + 1;
      if (distance <= maxDistance) score = distance;
      else {
        const overlap = wordOverlap(words, cachedWords(candidate));
        if (overlap >= 0.5) score = maxDistance + 2 - overlap;
      }
    }
    if (score !== undefined) scored.set(candidate, score);
  }
  return [...scored]
    .sort(([a, scoreA], [b, scoreB]) => scoreA - scoreB || a.length - b.length || a.localeCompare(b))
    .slice(0, limit)
    .map(([name]) => name);
}
