/** Rough token count when the caller has no tokenizer: code averages about four characters a token. */
export function approximateTokenCount(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The items, in their order, that fit in `budget` tokens together; an item too large for what is
 * left is skipped so that smaller, lower-ranked ones can still use the room.
 */
export function fitToBudget<T extends { text: string }>(
  items: readonly T[],
  budget: number,
  countTokens: (text: string) => number,
): T[] {
  const kept: T[] = [];
  let used = 0;
  for (const item of items) {
    const cost = countTokens(item.text);
    if (used + cost > budget) continue;
    kept.push(item);
    used += cost;
  }
  return kept;
}

/** A ranked piece of a file: what {@link packToBudget} keeps whole or trims. Lines 0-based, inclusive. */
export interface PackableChunk {
  text: string;
  startLine: number;
  endLine: number;
}

export interface PackOptions {
  /** At most this many chunks (default: no limit). */
  limit?: number;
  /**
   * Lines of code (after any leading comment) a chunk keeps when it is trimmed to make room for the
   * chunks ranked after it (default 8).
   */
  headLines?: number;
}

/**
 * The most relevant chunks that fit in `budget` tokens together, in rank order. First each chunk,
 * best first, reserves its head: its first `headLines` lines of code (a leading doc comment left
 * out), or all of it when that is shorter; a chunk whose head does not fit in what is left is
 * skipped and the ranking goes on, so a long chunk never evicts a short one ranked after it. Then the
 * kept chunks grow back in rank order: whole when what is left allows, else by as many more lines of
 * code as fit. A trimmed chunk's lines and text are those it keeps.
 */
export function packToBudget<T extends PackableChunk>(
  items: readonly T[],
  budget: number,
  countTokens: (text: string) => number,
  options: PackOptions = {},
): T[] {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const headLines = Math.max(1, options.headLines ?? 8);
  if (budget === Number.POSITIVE_INFINITY) return items.slice(0, limit);
  interface Entry {
    item: T;
    lines: string[];
    /** First line of code (after a leading comment) and how many lines from there are kept. */
    codeStart: number;
    kept: number;
    whole: boolean;
    cost: number;
  }
  const chosen: Entry[] = [];
  let used = 0;
  for (const item of items) {
    if (chosen.length >= limit) break;
    const lines = item.text.split("\n");
    const codeStart = leadingCommentLines(lines);
    const kept = Math.min(lines.length - codeStart, headLines);
    const whole = codeStart === 0 && kept === lines.length;
    const cost = countTokens(whole ? item.text : lines.slice(codeStart, codeStart + kept).join("\n"));
    if (used + cost > budget) continue;
    chosen.push({ item, lines, codeStart, kept, whole, cost });
    used += cost;
  }
  for (const entry of chosen) {
    if (entry.whole) continue;
    const full = countTokens(entry.item.text);
    if (used - entry.cost + full <= budget) {
      used += full - entry.cost;
      Object.assign(entry, { whole: true, cost: full });
      continue;
    }
    // The most lines of code that fit: a binary search over how many, each counted as sent.
    const room = budget - used + entry.cost;
    const costOf = (count: number) =>
      countTokens(entry.lines.slice(entry.codeStart, entry.codeStart + count).join("\n"));
    let low = entry.kept;
    let high = entry.lines.length - entry.codeStart;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (costOf(middle) <= room) low = middle;
      else high = middle - 1;
    }
    if (low > entry.kept) {
      const cost = costOf(low);
      used += cost - entry.cost;
      Object.assign(entry, { kept: low, cost });
    }
  }
  return chosen.map(({ item, lines, codeStart, kept, whole }) => {
    if (whole) return item;
    const startLine = item.startLine + codeStart;
    const text = lines.slice(codeStart, codeStart + kept).join("\n");
    return { ...item, text, startLine, endLine: startLine + kept - 1 };
  });
}

/**
 * How many lines a chunk's leading comment (a block comment, or a run of line comments) and the blank
 * lines around it take, when code follows them; 0 otherwise.
 */
function leadingCommentLines(lines: readonly string[]): number {
  let index = 0;
  let inBlock = false;
  for (; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (inBlock) {
      if (line.includes("*/")) inBlock = false;
      continue;
    }
    // `#` starts a comment in Python and shells; `#name` is a private member in JavaScript.
    if (line === "" || line.startsWith("//") || /^#(\s|!|$)/.test(line)) continue;
    if (line.startsWith("/*")) {
      inBlock = !line.includes("*/", 2);
      continue;
    }
    break;
  }
  return index < lines.length ? index : 0;
}
