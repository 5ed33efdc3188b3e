import { signConsensusMerge } from "./signConsensus.js";
import { keepTopKMagnitudes } from "./topK.js";
import type { MergeInput, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

/**
 * TIES-merging (Yadav et al. 2023).
 *   TRIM: τᵢ = xᵢ − base keeps its kᵢ = round(densityᵢ·n) entries of largest |τᵢ| (others set to 0);
 *         entries tied with the kᵢ-th largest magnitude are kept lowest index first, so exactly kᵢ survive.
 *   ELECT and DISJOINT MERGE: see signConsensusMerge (weighted mean over agreeing entries when normalize, the default).
 */
export function tiesMerge(base: Float32Array, inputs: readonly MergeInput[], params: MergeParams = {}): Float32Array {
  validateMergeArguments("ties", base, inputs, params);
  const n = base.length;
  return signConsensusMerge({
    base,
    weights: inputs.map((input) => input.weight),
    writeTaskVector: (i, into) => {
      const { values, density = 1 } = inputs[i]!;
      for (let j = 0; j < n; j++) into[j] = values[j]! - base[j]!;
      keepTopKMagnitudes(into, Math.round(density * n));
    },
    lambda: params.lambda ?? 1,
    normalize: params.normalize ?? true,
  });
}
