import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/** Above this |cos θ| the two tensors are treated as colinear and interpolated linearly. */
const COLINEAR_DOT = 0.9995;
/** Below this norm a tensor has no direction and is interpolated linearly. */
const ZERO_NORM = 1e-8;

/**
 * Spherical interpolation of the two flattened tensors a = inputs[0], b = inputs[1] at t = params.t:
 *   cos θ = a·b / (|a||b|),  result = sin((1−t)θ)/sin θ · a + sin(tθ)/sin θ · b
 * falling back to (1−t)·a + t·b when |cos θ| > 0.9995 or either tensor is (nearly) zero. Weights are ignored.
 */
export function slerpMerge(inputs: readonly MergeInput[], params: MergeParams): Float32Array {
  validateMergeArguments("slerp", undefined, inputs, params);
  const t = params.t!;
  const a = inputs[0]!.values;
  const b = inputs[1]!.values;
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    const x = a[j]!;
    const y = b[j]!;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  const normA = Math.sqrt(aa);
  const normB = Math.sqrt(bb);
  let s0 = 1 - t;
  let s1 = t;
  if (normA > ZERO_NORM && normB > ZERO_NORM) {
    const cos = dot / (normA * normB);
    if (Math.abs(cos) <= COLINEAR_DOT) {
      const theta = Math.acos(cos);
      const sinTheta = Math.sin(theta);
      s0 = Math.sin((1 - t) * theta) / sinTheta;
      s1 = Math.sin(t * theta) / sinTheta;
    }
  }
  const out = new Float32Array(a.length);
  for (let j = 0; j < out.length; j++) out[j] = s0 * a[j]! + s1 * b[j]!;
  return out;
}
