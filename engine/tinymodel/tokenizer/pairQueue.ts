// Pair keys pack two token ids into one number; 2^21 ids is far beyond any vocabulary built here.
export const ID_LIMIT = 1 << 21;
export const pairKey = (left: number, right: number): number => left * ID_LIMIT + right;
export const leftOf = (key: number): number => Math.floor(key / ID_LIMIT);
export const rightOf = (key: number): number => key % ID_LIMIT;

/**
 * Max-heap of (count, pair) with lazy deletion: a pair is pushed again whenever its count changes,
 * and popped entries whose count is no longer current are dropped.
 */
export class PairQueue {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  constructor(private readonly tokens: readonly string[]) {}

  push(key: number, count: number): void {
    if (count <= 0) return;
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  popCurrent(current: ReadonlyMap<number, number>): number | undefined {
    while (this.counts.length > 0) {
      const count = this.counts[0];
      const key = this.keys[0]!;
      this.removeTop();
      if (current.get(key) === count) return key;
    }
    return undefined;
  }

  private removeTop(): void {
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length === 0) return;
    this.counts[0] = lastCount;
    this.keys[0] = lastKey;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < this.counts.length && this.before(l, top)) top = l;
      if (r < this.counts.length && this.before(r, top)) top = r;
      if (top === i) return;
      this.swap(i, top);
      i = top;
    }
  }

  private before(a: number, b: number): boolean {
    if (this.counts[a] !== this.counts[b]) return this.counts[a]! > this.counts[b]!;
    return this.compareText(this.keys[a]!, this.keys[b]!) < 0;
  }

  // Byte-level token texts never contain U+0020, which sorts below all of them, so comparing
  // (left, right) as a tuple orders pairs exactly like comparing the lines `left right`.
  private compareText(a: number, b: number): number {
    if (a === b) return 0;
    const byLeft = compareStrings(this.tokens[leftOf(a)]!, this.tokens[leftOf(b)]!);
    return byLeft !== 0 ? byLeft : compareStrings(this.tokens[rightOf(a)]!, this.tokens[rightOf(b)]!);
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b]!, this.counts[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
