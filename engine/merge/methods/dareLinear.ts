import { dropoutSeed, writeDroppedTaskVector } from "./dareDropout.js";
import type { MergeContext, MergeInput, MergeParams } from "./types.js";
import { nonZeroWeightSum, validateMergeArguments } from "./validate.js";

/** DARE then task arithmetic: base + λ·Σ wᵢ·τ'ᵢ (divided by Σ wᵢ when params.normalize, default false). */
export function dareLinearMerge(
  base: Float32Array,
  inputs: readonly MergeInput[],
  params: MergeParams,
  context: MergeContext,
): Float32Array {
  validateMergeArguments("dare_linear", base, inputs, params);
  const seeds = inputs.map((_, i) => dropoutSeed(context, i));
  const lambda = params.lambda ?? 1;
  const scale = (params.normalize ?? false) ? lambda / nonZeroWeightSum(inputs) : lambda;
  const n = base.length;
  const dropped = new Float32Array(n);
  const delta = new Float32Array(n);
  inputs.forEach(({ values, weight, density = 1 }, i) => {
    writeDroppedTaskVector(base, values, density, seeds[i]!, dropped);
    const w = weight * scale;
    for (let j = 0; j < n; j++) delta[j] += w * dropped[j]!;
  });
  for (let j = 0; j < n; j++) delta[j] = base[j]! + delta[j]!;
  return delta;
}
