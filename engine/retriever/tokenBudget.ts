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
