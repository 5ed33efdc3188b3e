import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { writeTaskVector } from "./taskVector.js";
import { countKept, keepTopKMagnitudes } from "./topK.js";
import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/**
 * TIES-merging (Yadav et al. 2023).
 *   TRIM: τᵢ = xᵢ − base keeps its kᵢ = floor(densityᵢ·n) entries of largest |τᵢ| (others set to 0), as
 *         mergekit's int(density·n) (params.keptCount "round" rounds instead); entries tied with the kᵢ-th
 *         largest magnitude are kept lowest index first, so exactly kᵢ survive.
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
    keepTopKMagnitudes(into, trimmedCount(density, n, params));
  };
  return signConsensusMerge(base, writeTrimmed, tiesOptions(inputs, params));
}

/** ties normalizes by default; dare_ties, like mergekit's, does not. */
export function tiesOptions(
  inputs: readonly Pick<MergeInput, "weight">[],
  params: MergeParams,
  normalizeByDefault = true,
): SignConsensusOptions {
  return {
    weights: inputs.map((input) => input.weight),
    lambda: params.lambda ?? 1,
    normalize: params.normalize ?? normalizeByDefault,
    zeroVote: params.zeroVote ?? "positive",
  };
}

/** kᵢ: how many entries of an n-entry task vector TIES keeps at this density. */
export function trimmedCount(density: number, n: number, params: Pick<MergeParams, "keptCount">): number {
  return countKept(density, n, params.keptCount);
}
