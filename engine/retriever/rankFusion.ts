/**
 * Reciprocal rank fusion (Cormack et al. 2009): each ranked list adds 1 / (k + rank) to an item's
 * score, so lists with incomparable scores (BM25, cosine) combine by position alone. k = 60 is the
 * paper's constant; it keeps the top of one list from drowning agreement between lists. A weaker
 * signal can be given a weight below 1.
 */
export function reciprocalRankFusion<Id>(
  lists: readonly (readonly Id[] | WeightedList<Id>)[],
  k = 60,
): Map<Id, number> {
  const scores = new Map<Id, number>();
  for (const entry of lists) {
    const { ids, weight } = Array.isArray(entry)
      ? { ids: entry as readonly Id[], weight: 1 }
      : (entry as WeightedList<Id>);
    ids.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + weight / (k + index + 1)));
  }
  return scores;
}

/** A ranked list that counts `weight` times as much as a plain one (weighted RRF). */
export interface WeightedList<Id> {
  ids: readonly Id[];
  weight: number;
}
