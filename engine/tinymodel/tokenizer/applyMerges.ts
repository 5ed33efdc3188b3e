export interface MergeRule {
  rank: number;
  mergedId: number;
}

/** Merge rules keyed by leftId * stride + rightId, where stride is the normal vocabulary size. */
export type MergeTable = ReadonlyMap<number, MergeRule>;

/**
 * BPE on one pre-token, as llama.cpp's llm_tokenizer_bpe_session does it: repeatedly merge the
 * adjacent pair with the lowest rank, the leftmost one when the same pair occurs more than once.
 * A heap of candidate pairs keeps long pre-tokens (minified code, long runs of symbols) near
 * O(n log n) instead of rescanning the whole pre-token after every merge.
 */
export function applyMerges(symbols: readonly number[], merges: MergeTable, stride: number): number[] {
  const n = symbols.length;
  if (n < 2) return [...symbols];

  const ids = Int32Array.from(symbols);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const alive = new Uint8Array(n).fill(1);

  const rankAt = (left: number): number => {
    const right = left >= 0 ? next[left]! : -1;
    if (right < 0) return -1;
    return merges.get(ids[left]! * stride + ids[right]!)?.rank ?? -1;
  };

  // A candidate is rank * n + position: lowest rank first, then leftmost. Rank identifies the pair,
  // so a popped candidate is current exactly when the pair now at its position has that rank.
  const heap = new MinHeap();
  const offer = (left: number): void => {
    const rank = rankAt(left);
    if (rank >= 0) heap.push(rank * n + left);
  };
  for (let i = 0; i + 1 < n; i++) offer(i);

  while (heap.size > 0) {
    const candidate = heap.pop();
    const left = candidate % n;
    const rank = (candidate - left) / n;
    if (!alive[left] || rankAt(left) !== rank) continue;

    const right = next[left]!;
    ids[left] = merges.get(ids[left]! * stride + ids[right]!)!.mergedId;
    alive[right] = 0;
    const afterRight = next[right]!;
    next[left] = afterRight;
    if (afterRight >= 0) prev[afterRight] = left;
    offer(prev[left]!);
    offer(left);
  }

  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(ids[i]!);
  return out;
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= items.length) break;
        const child = l + 1 < items.length && items[l + 1]! < items[l]! ? l + 1 : l;
        if (items[child]! >= last) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
