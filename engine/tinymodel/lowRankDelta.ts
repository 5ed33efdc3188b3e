import { truncatedSvd } from "../linalg/index.js";
import type { LoraTensorPair } from "./writeLoraAdapter.js";

/**
 * Factorises a change of the next-token scores into a rank-r LoRA pair for `output.weight`:
 * delta[current][next] becomes B·A with B = U·S (next × r) and A = Vᵀ (r × embedding), so
 * applying the adapter at scale 1 (alpha = rank) moves the model's logits by ≈ delta.
 */
export function lowRankOutputDelta(
  delta: Float32Array,
  vocabularySize: number,
  embeddingLength: number,
  rank: number,
  seed: number,
): { pair: LoraTensorPair; energyKept: number } {
  // Rows are what the output tensor produces (next), columns what it reads (current).
  const transposed = new Float32Array(vocabularySize * vocabularySize);
  for (let current = 0; current < vocabularySize; current++) {
    for (let next = 0; next < vocabularySize; next++) {
      transposed[next * vocabularySize + current] = delta[current * vocabularySize + next]!;
    }
  }
  const svd = truncatedSvd({ rows: vocabularySize, cols: vocabularySize, data: transposed }, rank, { seed });
  const k = svd.s.length;
  const a = new Float32Array(k * embeddingLength);
  for (let r = 0; r < k; r++) {
    for (let col = 0; col < vocabularySize; col++)
      a[r * embeddingLength + col] = svd.vt.data[r * vocabularySize + col]!;
  }
  const b = new Float32Array(vocabularySize * k);
  for (let row = 0; row < vocabularySize; row++) {
    for (let r = 0; r < k; r++) b[row * k + r] = svd.u.data[row * k + r]! * svd.s[r]!;
  }
  return {
    pair: {
      target: "output.weight",
      inputLength: embeddingLength,
      outputLength: vocabularySize,
      rank: k,
      a,
      b,
    },
    energyKept: svd.energyKept,
  };
}
