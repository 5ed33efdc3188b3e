import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { countKept, topKMagnitudeMask } from "./topK.js";
import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/**
 * SCE (Select, Calculate, Erase) from FuseChat (Wan et al. 2024), with mergekit's normalisation.
 * With τᵢ = xᵢ − base, m inputs, n positions and s = params.selectTopK:
 * SELECT vⱼ = population variance of τ₁ⱼ…τₘⱼ; if s < 1, selⱼ = 1 for the floor(s·#{j : vⱼ > 0}) positions of
 *              largest vⱼ (ties: lowest index first), else selⱼ = 1 everywhere. τ̂ᵢⱼ = selⱼ·τᵢⱼ.
 * CALCULATE ηᵢ = Σⱼ τ̂ᵢⱼ² / Σₖ Σⱼ τ̂ₖⱼ² (1/m each when every τ̂ is zero). The inputs' own weights are not
 * used.
 *   ERASE      γⱼ = +1 if Σᵢ τ̂ᵢⱼ >= 0 else −1 (unweighted sum; mergekit's rule, see signConsensusMerge);
 *              Aⱼ = { i : τ̂ᵢⱼ ≠ 0 and sgn τ̂ᵢⱼ = γⱼ }.
 * MERGE resultⱼ = baseⱼ + λ·Σ_{i∈Aⱼ} ηᵢ·τ̂ᵢⱼ / Σ_{i∈Aⱼ} ηᵢ (0 for empty Aⱼ; normalize: false drops the
 * division). streamingMerge.ts does the same over a tensor read in slices, with the pieces exported here.
 */
export function sceMerge(
  base: Float32Array,
  inputs: readonly MergeInput[],
  params: MergeParams = {},
): Float32Array {
  validateMergeArguments("sce", base, inputs, params);
  const values = inputs.map((input) => input.values);
  const fraction = params.selectTopK ?? 1;
  let selected: Uint8Array | undefined;
  if (fraction < 1) {
    const variances = new Float32Array(base.length);
    const positive = writeVariances(values, variances);
    selected = topKMagnitudeMask(variances, selectedCount(fraction, positive, params));
  }
  const energies = values.map(() => 0);
  addSquaredNorms(base, values, selected, energies);
  const writeSelected = (i: number, into: Float32Array): void =>
    writeSelectedTaskVector(base, values[i]!, selected, into);
  return signConsensusMerge(base, writeSelected, sceOptions(energies, params));
}

/** How many positions SELECT keeps, of those whose variance is positive (floor, as mergekit, or round). */
export function selectedCount(
  fraction: number,
  positive: number,
  params: Pick<MergeParams, "keptCount">,
): number {
  return countKept(fraction, positive, params.keptCount);
}

/**
 * vⱼ for each position into `into`; returns how many are non-zero. The variance of τᵢⱼ across i
 * equals that of xᵢⱼ, so the base is not needed.
 */
export function writeVariances(values: readonly Float32Array[], into: Float32Array): number {
  const first = values[0]!;
  const others = values.slice(1);
  const m = values.length;
  let positive = 0;
  for (let j = 0; j < first.length; j++) {
    // Shifted by the first input so equal values give exactly zero variance.
    const x0 = first[j]!;
    let sum = 0;
    let sumOfSquares = 0;
    for (const other of others) {
      const d = other[j]! - x0;
      sum += d;
      sumOfSquares += d * d;
    }
    const mean = sum / m;
    into[j] = Math.max(0, sumOfSquares / m - mean * mean);
    if (into[j] !== 0) positive++;
  }
  return positive;
}

/**
 * Adds Σⱼ τ̂ᵢⱼ² (over the selected positions; all when `selected` is undefined) to energies[i], in position
 * order.
 */
export function addSquaredNorms(
  base: Float32Array,
  values: readonly Float32Array[],
  selected: Uint8Array | undefined,
  energies: number[],
): void {
  values.forEach((x, i) => {
    let energy = energies[i]!;
    for (let j = 0; j < base.length; j++) {
      if (selected && selected[j] === 0) continue;
      const t = x[j]! - base[j]!;
      energy += t * t;
    }
    energies[i] = energy;
  });
}

/** τ̂ = τ at the selected positions (all when `selected` is undefined), 0 elsewhere. */
export function writeSelectedTaskVector(
  base: Float32Array,
  values: Float32Array,
  selected: Uint8Array | undefined,
  into: Float32Array,
): void {
  for (let j = 0; j < base.length; j++) into[j] = selected && selected[j] === 0 ? 0 : values[j]! - base[j]!;
}

/**
 * The disjoint merge weighted by ηᵢ, each input's share of the total squared norm, electing by the plain sum.
 */
export function sceOptions(energies: readonly number[], params: MergeParams): SignConsensusOptions {
  const total = energies.reduce((a, b) => a + b, 0);
  return {
    weights: energies.map((energy) => (total === 0 ? 1 / energies.length : energy / total)),
    electionWeights: energies.map(() => 1),
    lambda: params.lambda ?? 1,
    normalize: params.normalize ?? true,
    zeroVote: params.zeroVote ?? "positive",
  };
}
