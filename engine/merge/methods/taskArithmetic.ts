import type { MergeInput, MergeParams } from "./types.js";
import { nonZeroWeightSum, validateMergeArguments } from "./validate.js";

/** base + λ·Σ wᵢ·(xᵢ − base), divided by Σ wᵢ when params.normalize is true (default false). */
export function taskArithmeticMerge(
  base: Float32Array,
  inputs: readonly MergeInput[],
  params: MergeParams = {},
  into?: Float32Array,
): Float32Array {
  validateMergeArguments("task_arithmetic", base, inputs, params);
  const lambda = params.lambda ?? 1;
  const scale = (params.normalize ?? false) ? lambda / nonZeroWeightSum(inputs) : lambda;
  // The deltas are summed apart from the base so small task vectors are not rounded away against large
  // weights.
  const delta = into ? into.subarray(0, base.length).fill(0) : new Float32Array(base.length);
  for (const { values, weight } of inputs) {
    const w = weight * scale;
    for (let j = 0; j < delta.length; j++) delta[j]! += w * (values[j]! - base[j]!);
  }
  for (let j = 0; j < delta.length; j++) delta[j] = base[j]! + delta[j]!;
  return delta;
}
