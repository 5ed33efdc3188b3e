import type { MergeInput, MergeParams } from "./types.js";
import { nonZeroWeightSum, validateMergeArguments } from "./validate.js";

/**
 * Σ wᵢ·xᵢ / Σ wᵢ (or the plain weighted sum when params.normalize is false). Ignores any base.
 * `into`, when given, receives the result (a streaming merge reuses one buffer for every block).
 */
export function linearMerge(inputs: readonly MergeInput[], params: MergeParams = {}, into?: Float32Array): Float32Array {
  validateMergeArguments("linear", undefined, inputs, params);
  const scale = (params.normalize ?? true) ? 1 / nonZeroWeightSum(inputs) : 1;
  const length = inputs[0]!.values.length;
  const out = into ? into.subarray(0, length) : new Float32Array(length);
  // The first input initialises the output: no separate pass to clear it.
  const first = inputs[0]!;
  const w0 = first.weight * scale;
  const firstValues = first.values;
  for (let j = 0; j < length; j++) out[j] = w0 * firstValues[j]!;
  for (let i = 1; i < inputs.length; i++) {
    const { values, weight } = inputs[i]!;
    const w = weight * scale;
    for (let j = 0; j < length; j++) out[j] += w * values[j]!;
  }
  return out;
}
