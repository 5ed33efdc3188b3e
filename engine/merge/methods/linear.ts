import type { MergeInput, MergeParams } from "./types.js";
import { nonZeroWeightSum, validateMergeArguments } from "./validate.js";

/** Σ wᵢ·xᵢ / Σ wᵢ (or the plain weighted sum when params.normalize is false). Ignores any base. */
export function linearMerge(inputs: readonly MergeInput[], params: MergeParams = {}): Float32Array {
  validateMergeArguments("linear", undefined, inputs, params);
  const scale = (params.normalize ?? true) ? 1 / nonZeroWeightSum(inputs) : 1;
  const out = new Float32Array(inputs[0]!.values.length);
  for (const { values, weight } of inputs) {
    const w = weight * scale;
    for (let j = 0; j < out.length; j++) out[j] += w * values[j]!;
  }
  return out;
}
