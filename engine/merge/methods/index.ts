import { dareLinearMerge } from "./dareLinear.js";
import { dareTiesMerge } from "./dareTies.js";
import { linearMerge } from "./linear.js";
import { MergeMethodError } from "./mergeMethodError.js";
import { sceMerge } from "./sce.js";
import { slerpMerge } from "./slerp.js";
import { taskArithmeticMerge } from "./taskArithmetic.js";
import { tiesMerge } from "./ties.js";
import type { MergeContext, MergeInput, MergeMethod, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

export {
  dareLinearMerge,
  dareTiesMerge,
  linearMerge,
  MergeMethodError,
  sceMerge,
  slerpMerge,
  taskArithmeticMerge,
  tiesMerge,
};
export { dropoutSeed } from "./dareDropout.js";
export {
  isShareable,
  openTensorMergeStream,
  type HalfSliceStream,
  STREAMING_METHODS,
  type MergeCursor,
  type PassStatistics,
  type ShareableMergeStream,
  type StreamedInput,
  type TensorMergeStream,
} from "./streamingMerge.js";
export type { MergeContext, MergeInput, MergeMethod, MergeParams };
export { MERGE_RULE_OPTIONS } from "./types.js";
export { trimmedCount } from "./ties.js";
export { tiesMagnitudeWindows } from "./tiesWindows.js";
export type { MagnitudeWindow } from "./topK.js";

export const MERGE_METHODS: readonly MergeMethod[] = [
  "linear",
  "task_arithmetic",
  "ties",
  "dare_linear",
  "dare_ties",
  "sce",
  "slerp",
];

/** Merges one tensor: `base` and every input's values are the same tensor from each model, dequantised. */
export function mergeTensor(
  method: MergeMethod,
  base: Float32Array | undefined,
  inputs: readonly MergeInput[],
  params: MergeParams,
  context: MergeContext,
  /** Receives the result of the elementwise methods (linear, task_arithmetic); the others allocate. */
  into?: Float32Array,
): Float32Array {
  if (!MERGE_METHODS.includes(method)) {
    throw new MergeMethodError(
      "method",
      `unknown merge method "${String(method)}"; expected one of ${MERGE_METHODS.join(", ")}`,
    );
  }
  validateMergeArguments(method, base, inputs, params);
  switch (method) {
    case "linear":
      return linearMerge(inputs, params, into);
    case "slerp":
      return slerpMerge(inputs, params);
    case "task_arithmetic":
      return taskArithmeticMerge(base!, inputs, params, into);
    case "ties":
      return tiesMerge(base!, inputs, params);
    case "dare_linear":
      return dareLinearMerge(base!, inputs, params, context);
    case "dare_ties":
      return dareTiesMerge(base!, inputs, params, context);
    case "sce":
      return sceMerge(base!, inputs, params);
  }
}
