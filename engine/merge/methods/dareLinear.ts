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
  return dareLinearInto(
    base,
    inputs,
    dareLinearScale(inputs, params),
    seeds,
    0,
    new Float32Array(base.length),
    new Float32Array(base.length),
  );
}

/** λ, divided by Σ wᵢ when params.normalize. */
export function dareLinearScale(inputs: readonly Omit<MergeInput, "values">[], params: MergeParams): number {
  const lambda = params.lambda ?? 1;
  return (params.normalize ?? false) ? lambda / nonZeroWeightSum(inputs) : lambda;
}

/**
 * The merge of the positions starting at tensor position `firstPosition` (0 for a whole tensor), into
 * `into`; `dropped` is scratch space of the same length.
 */
export function dareLinearInto(
  base: Float32Array,
  inputs: readonly MergeInput[],
  scale: number,
  seeds: readonly number[],
  firstPosition: number,
  dropped: Float32Array,
  into: Float32Array,
): Float32Array {
  const n = base.length;
  const delta = into.subarray(0, n).fill(0);
  const droppedSlice = dropped.subarray(0, n);
  for (let i = 0; i < inputs.length; i++) {
    const { values, weight, density = 1 } = inputs[i]!;
    writeDroppedTaskVector(base, values, density, seeds[i]!, droppedSlice, firstPosition);
    const w = weight * scale;
    for (let j = 0; j < n; j++) delta[j]! += w * droppedSlice[j]!;
  }
  for (let j = 0; j < n; j++) delta[j] = base[j]! + delta[j]!;
  return delta;
}
