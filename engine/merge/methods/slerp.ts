import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/** Above this |cos θ| the two tensors are treated as colinear and interpolated linearly. */
const COLINEAR_DOT = 0.9995;
/** At or below this norm a tensor is not normalised (mergekit's eps). */
const ZERO_NORM = 1e-8;

/**
 * Spherical interpolation of the two flattened tensors a = inputs[0], b = inputs[1] at t = params.t, as
 * mergekit's slerp: each tensor is divided by its norm unless that norm is <= 1e-8, then
 *   cos θ = â·b̂,  result = sin((1−t)θ)/sin θ · a + sin(tθ)/sin θ · b
 * falling back to (1−t)·a + t·b when |cos θ| > 0.9995. A zero tensor thus makes θ = 90°: between a
 * task vector and an adapter's untouched (zero) delta the result is cos(tπ/2)·a. With params.slerpNearZero
 * "linear", a (nearly) zero tensor falls back to linear interpolation instead. Weights are ignored.
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
  const nearZero = normA <= ZERO_NORM || normB <= ZERO_NORM;
  let s0 = 1 - t;
  let s1 = t;
  if (!(nearZero && params.slerpNearZero === "linear")) {
    const cos = dot / (normA > ZERO_NORM ? normA : 1) / (normB > ZERO_NORM ? normB : 1);
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
