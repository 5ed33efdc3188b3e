import type { MergeInput, MergeParams } from "./types.js";
import { nonZeroWeightSum, validateMergeArguments } from "./validate.js";

/**
 * Σ wᵢ·xᵢ / Σ wᵢ (or the plain weighted sum when params.normalize is false). Ignores any base.
 * `into`, when given, receives the result (a streaming merge reuses one buffer for every block).
 * The sum is accumulated in input order, each partial sum rounded to float32.
 */
export function linearMerge(
  inputs: readonly MergeInput[],
  params: MergeParams = {},
  into?: Float32Array,
): Float32Array {
  validateMergeArguments("linear", undefined, inputs, params);
  const scale = (params.normalize ?? true) ? 1 / nonZeroWeightSum(inputs) : 1;
  const length = inputs[0]!.values.length;
  const out = into ? into.subarray(0, length) : new Float32Array(length);
  const [first, second] = inputs;
  // The first input (or the first two) initialise the output: no separate pass to clear it.
  if (second === undefined) scaledInto(out, first!.values, first!.weight * scale);
  else weightedPairInto(out, first!.values, first!.weight * scale, second.values, second.weight * scale);
  for (let i = 2; i < inputs.length; i++) addScaledInto(out, inputs[i]!.values, inputs[i]!.weight * scale);
  return out;
}

// Small loops over typed arrays, each its own function, so V8 compiles each tight.

function scaledInto(out: Float32Array, x: Float32Array, w: number): void {
  for (let j = 0; j < out.length; j++) out[j] = w * x[j]!;
}

/** out = fround(wx·x) + wy·y, rounded on store: exactly out = wx·x followed by out += wy·y, in one pass. */
function weightedPairInto(out: Float32Array, x: Float32Array, wx: number, y: Float32Array, wy: number): void {
  for (let j = 0; j < out.length; j++) out[j] = Math.fround(wx * x[j]!) + wy * y[j]!;
}

function addScaledInto(out: Float32Array, x: Float32Array, w: number): void {
  for (let j = 0; j < out.length; j++) out[j]! += w * x[j]!;
}
