import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { writeTaskVector } from "./taskVector.js";
import { keepTopKMagnitudes } from "./topK.js";
import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/**
 * TIES-merging (Yadav et al. 2023).
 *   TRIM: τᵢ = xᵢ − base keeps its kᵢ = round(densityᵢ·n) entries of largest |τᵢ| (others set to 0);
 *         entries tied with the kᵢ-th largest magnitude are kept lowest index first, so exactly kᵢ survive.
 * ELECT and DISJOINT MERGE: see signConsensusMerge (weighted mean over agreeing entries when normalize, the
 * default). streamingMerge.ts does the same over a tensor read in slices.
 */
export function tiesMerge(
  base: Float32Array,
  inputs: readonly MergeInput[],
  params: MergeParams = {},
): Float32Array {
  validateMergeArguments("ties", base, inputs, params);
  const n = base.length;
  const writeTrimmed = (i: number, into: Float32Array): void => {
    const { values, density = 1 } = inputs[i]!;
    writeTaskVector(base, values, into);
    keepTopKMagnitudes(into, trimmedCount(density, n));
  };
  return signConsensusMerge(base, writeTrimmed, tiesOptions(inputs, params));
}

export function tiesOptions(
  inputs: readonly Pick<MergeInput, "weight">[],
  params: MergeParams,
): SignConsensusOptions {
  return {
    weights: inputs.map((input) => input.weight),
    lambda: params.lambda ?? 1,
    normalize: params.normalize ?? true,
  };
}

/** kᵢ: how many entries of an n-entry task vector TIES keeps at this density. */
export function trimmedCount(density: number, n: number): number {
  return Math.round(density * n);
}
