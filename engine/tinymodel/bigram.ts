/**
 * Next-token statistics of a corpus: counts[current * size + next]. Compiled into a model's output
 * matrix, they make a real (if tiny) language model: P(next | current).
 */
export class BigramCounts {
  readonly counts: Float64Array;

  constructor(readonly size: number) {
    this.counts = new Float64Array(size * size);
  }

  /** Counts the transitions of one token sequence (one file, say). */
  addSequence(ids: readonly number[], weight = 1): void {
    for (let i = 1; i < ids.length; i++) this.counts[ids[i - 1]! * this.size + ids[i]!]! += weight;
  }

  add(current: number, next: number, weight = 1): void {
    this.counts[current * this.size + next]! += weight;
  }

  /** How often each token was followed by anything. */
  rowTotals(): Float64Array {
    const totals = new Float64Array(this.size);
    for (let row = 0; row < this.size; row++) {
      let sum = 0;
      const offset = row * this.size;
      for (let col = 0; col < this.size; col++) sum += this.counts[offset + col]!;
      totals[row] = sum;
    }
    return totals;
  }

  /** How often each token occurred as the next token. */
  unigram(): Float64Array {
    const totals = new Float64Array(this.size);
    for (let row = 0; row < this.size; row++) {
      const offset = row * this.size;
      for (let col = 0; col < this.size; col++) totals[col]! += this.counts[offset + col]!;
    }
    return totals;
  }
}

export interface LogProbabilityOptions {
  /** Add-k smoothing towards the unigram distribution, in pseudo-counts per row. */
  smoothing: number;
  /** Tokens that may be predicted; the others get `forbiddenLogit`. */
  predictable: (id: number) => boolean;
  forbiddenLogit?: number;
}

/**
 * log P(next | current) as a row-major matrix [current][next], smoothed with the unigram
 * distribution so every predictable token keeps a finite, sensible score.
 */
export function logProbabilities(bigrams: BigramCounts, options: LogProbabilityOptions): Float32Array {
  const { size } = bigrams;
  const forbidden = options.forbiddenLogit ?? -30;
  const unigram = bigrams.unigram();
  let unigramTotal = 0;
  for (let id = 0; id < size; id++) if (options.predictable(id)) unigramTotal += unigram[id]! + 1;
  const prior = new Float64Array(size);
  for (let id = 0; id < size; id++)
    prior[id] = options.predictable(id) ? (unigram[id]! + 1) / unigramTotal : 0;

  const totals = bigrams.rowTotals();
  const out = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    const offset = row * size;
    const denominator = totals[row]! + options.smoothing;
    for (let col = 0; col < size; col++) {
      out[offset + col] = options.predictable(col)
        ? Math.log((bigrams.counts[offset + col]! + options.smoothing * prior[col]!) / denominator)
        : forbidden;
    }
  }
  return out;
}
