/** Writes input i's (sparsified) task vector into `into`; called twice per input, so it must be deterministic. */
export type TaskVectorWriter = (inputIndex: number, into: Float32Array) => void;

export interface SignConsensusOptions {
  base: Float32Array;
  /** wᵢ, one per input. */
  weights: readonly number[];
  /** eᵢ for the election; defaults to `weights`. */
  electionWeights?: readonly number[];
  writeTaskVector: TaskVectorWriter;
  lambda: number;
  normalize: boolean;
}

/**
 * TIES' sign election and disjoint merge, shared by ties, dare_ties and sce. With τ̂ᵢ the sparsified task vectors and cᵢⱼ = wᵢ·τ̂ᵢⱼ:
 *   elected sign  γⱼ = sgn(Σᵢ eᵢ·τ̂ᵢⱼ)                     (by mass, not by count; eᵢ = wᵢ unless given)
 *   agreeing set  Aⱼ = { i : cᵢⱼ ≠ 0 and sgn(cᵢⱼ) = γⱼ }   (empty when γⱼ = 0)
 *   merged        δⱼ = Σ_{i∈Aⱼ} cᵢⱼ / Σ_{i∈Aⱼ} wᵢ        (0 when Aⱼ is empty; no division when normalize is false)
 *   result        baseⱼ + λ·δⱼ
 */
export function signConsensusMerge(options: SignConsensusOptions): Float32Array {
  const { base, weights, electionWeights = weights, writeTaskVector, lambda, normalize } = options;
  const n = base.length;
  const taskVector = new Float32Array(n);
  const out = new Float32Array(n);

  for (let i = 0; i < weights.length; i++) {
    writeTaskVector(i, taskVector);
    const e = electionWeights[i]!;
    for (let j = 0; j < n; j++) out[j] += e * taskVector[j]!;
  }
  const elected = new Int8Array(n);
  for (let j = 0; j < n; j++) elected[j] = Math.sign(out[j]!);
  out.fill(0);

  const agreeingWeight = normalize ? new Float32Array(n) : undefined;
  for (let i = 0; i < weights.length; i++) {
    writeTaskVector(i, taskVector);
    const w = weights[i]!;
    for (let j = 0; j < n; j++) {
      const contribution = w * taskVector[j]!;
      const sign = elected[j]!;
      if ((contribution > 0 && sign > 0) || (contribution < 0 && sign < 0)) {
        out[j] += contribution;
        if (agreeingWeight) agreeingWeight[j] += w;
      }
    }
  }

  for (let j = 0; j < n; j++) {
    let merged = out[j]!;
    if (agreeingWeight) {
      const divisor = agreeingWeight[j]!;
      merged = divisor === 0 ? 0 : merged / divisor;
    }
    out[j] = base[j]! + lambda * merged;
  }
  return out;
}
