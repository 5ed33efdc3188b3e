import { dropoutSeed, writeDroppedTaskVector } from "./dareDropout.js";
import { signConsensusMerge } from "./signConsensus.js";
import { tiesOptions } from "./ties.js";
import type { MergeContext, MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/**
 * DARE's drop-and-rescale in place of TIES' trim, then TIES' sign election and disjoint merge (normalize
 * default false, as mergekit's dare_ties).
 */
export function dareTiesMerge(
  base: Float32Array,
  inputs: readonly MergeInput[],
  params: MergeParams,
  context: MergeContext,
): Float32Array {
  validateMergeArguments("dare_ties", base, inputs, params);
  const seeds = inputs.map((_, i) => dropoutSeed(context, i));
  const writeDropped = (i: number, into: Float32Array): void =>
    writeDroppedTaskVector(base, inputs[i]!.values, inputs[i]!.density ?? 1, seeds[i]!, into);
  return signConsensusMerge(base, writeDropped, tiesOptions(inputs, params, false));
}
