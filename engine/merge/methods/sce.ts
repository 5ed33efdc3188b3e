import { signConsensusMerge } from "./signConsensus.js";
import { topKMagnitudeMask } from "./topK.js";
import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/**
 * SCE (Select, Calculate, Erase) from FuseChat (Wan et al. 2024), with mergekit's normalisation.
 * With τᵢ = xᵢ − base, m inputs, n positions and s = params.selectTopK:
 *   SELECT     vⱼ = population variance of τ₁ⱼ…τₘⱼ; if s < 1, selⱼ = 1 for the round(s·#{j : vⱼ > 0}) positions of
 *              largest vⱼ (ties: lowest index first), else selⱼ = 1 everywhere. τ̂ᵢⱼ = selⱼ·τᵢⱼ.
 *   CALCULATE  ηᵢ = Σⱼ τ̂ᵢⱼ² / Σₖ Σⱼ τ̂ₖⱼ²   (1/m each when every τ̂ is zero). The inputs' own weights are not used.
 *   ERASE      γⱼ = sgn(Σᵢ τ̂ᵢⱼ) (unweighted sum); Aⱼ = { i : τ̂ᵢⱼ ≠ 0 and sgn τ̂ᵢⱼ = γⱼ }.
 *   MERGE      resultⱼ = baseⱼ + λ·Σ_{i∈Aⱼ} ηᵢ·τ̂ᵢⱼ / Σ_{i∈Aⱼ} ηᵢ   (0 for empty Aⱼ; normalize: false drops the division).
 */
export function sceMerge(base: Float32Array, inputs: readonly MergeInput[], params: MergeParams = {}): Float32Array {
  validateMergeArguments("sce", base, inputs, params);
  const n = base.length;
  const fraction = params.selectTopK ?? 1;
  const selected = fraction < 1 ? selectByVariance(inputs, fraction) : undefined;
  const writeTaskVector = (i: number, into: Float32Array): void => {
    const values = inputs[i]!.values;
    for (let j = 0; j < n; j++) into[j] = selected && selected[j] === 0 ? 0 : values[j]! - base[j]!;
  };
  return signConsensusMerge({
    base,
    weights: squaredNormShares(base, inputs, selected),
    electionWeights: inputs.map(() => 1),
    writeTaskVector,
    lambda: params.lambda ?? 1,
    normalize: params.normalize ?? true,
  });
}

/** 1 at the selected positions. The variance of τᵢⱼ across i equals that of xᵢⱼ, so the base is not needed. */
function selectByVariance(inputs: readonly MergeInput[], fraction: number): Uint8Array {
  const first = inputs[0]!.values;
  const others = inputs.slice(1).map((input) => input.values);
  const m = inputs.length;
  const variance = new Float32Array(first.length);
  let positive = 0;
  for (let j = 0; j < first.length; j++) {
    // Shifted by the first input so equal values give exactly zero variance.
    const x0 = first[j]!;
    let sum = 0;
    let sumOfSquares = 0;
    for (const values of others) {
      const d = values[j]! - x0;
      sum += d;
      sumOfSquares += d * d;
    }
    const mean = sum / m;
    variance[j] = Math.max(0, sumOfSquares / m - mean * mean);
    if (variance[j] !== 0) positive++;
  }
  return topKMagnitudeMask(variance, Math.round(fraction * positive));
}

/** ηᵢ: each input's share of the total squared norm of the selected task vectors. */
function squaredNormShares(base: Float32Array, inputs: readonly MergeInput[], selected: Uint8Array | undefined): number[] {
  const energies = inputs.map(({ values }) => {
    let energy = 0;
    for (let j = 0; j < base.length; j++) {
      if (selected && selected[j] === 0) continue;
      const t = values[j]! - base[j]!;
      energy += t * t;
    }
    return energy;
  });
  const total = energies.reduce((a, b) => a + b, 0);
  return energies.map((energy) => (total === 0 ? 1 / inputs.length : energy / total));
}
