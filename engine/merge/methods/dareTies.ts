import { dropoutSeed, writeDroppedTaskVector } from "./dareDropout.js";
import { signConsensusMerge } from "./signConsensus.js";
import type { MergeContext, MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/** DARE's drop-and-rescale in place of TIES' trim, then TIES' sign election and disjoint merge (normalize default true). */
export function dareTiesMerge(
  base: Float32Array,
  inputs: readonly MergeInput[],
  params: MergeParams,
  context: MergeContext,
): Float32Array {
  validateMergeArguments("dare_ties", base, inputs, params);
  const seeds = inputs.map((_, i) => dropoutSeed(context, i));
  return signConsensusMerge({
    base,
    weights: inputs.map((input) => input.weight),
    writeTaskVector: (i, into) => writeDroppedTaskVector(base, inputs[i]!.values, inputs[i]!.density ?? 1, seeds[i]!, into),
    lambda: params.lambda ?? 1,
    normalize: params.normalize ?? true,
  });
}
