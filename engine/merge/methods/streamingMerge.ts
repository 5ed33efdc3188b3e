import { DareLinearStream, DareTiesStream } from "./dareStreams.js";
import { linearMerge } from "./linear.js";
import { SceStream } from "./sceStream.js";
import {
  checkSlice,
  withValues,
  type ShareableMergeStream,
  type StreamedInput,
  type TensorMergeStream,
} from "./streamSlices.js";
import { taskArithmeticMerge } from "./taskArithmetic.js";
import { TiesStream } from "./tiesStream.js";
import type { MagnitudeWindow } from "./topK.js";
import type { MergeContext, MergeMethod, MergeParams } from "./types.js";
import { validateMergeArguments } from "./validate.js";

export {
  isShareable,
  type HalfSliceStream,
  type MergeCursor,
  type PassStatistics,
  type ShareableMergeStream,
  type StreamedInput,
  type TensorMergeStream,
} from "./streamSlices.js";

/**
 * Methods whose merge can stream; slerp needs the whole tensors' norms and angle, which this does not gather.
 */
export const STREAMING_METHODS: ReadonlySet<MergeMethod> = new Set([
  "linear",
  "task_arithmetic",
  "ties",
  "dare_linear",
  "dare_ties",
  "sce",
]);

/**
 * A stream for one tensor of `elementCount` elements, or undefined when the method cannot stream.
 * `hasBase` says whether a base tensor will come with each slice. The arguments are checked here, as
 * mergeTensor checks them.
 */
export function openTensorMergeStream(
  method: MergeMethod,
  hasBase: boolean,
  inputs: readonly StreamedInput[],
  params: MergeParams,
  context: MergeContext,
  elementCount: number,
  /** ties: where a sample puts each input's cut (tiesMagnitudeWindows), to save a statistics pass. */
  tiesWindows?: readonly (MagnitudeWindow | undefined)[],
): TensorMergeStream | undefined {
  if (!STREAMING_METHODS.has(method)) return undefined;
  const empty = new Float32Array(0);
  validateMergeArguments(
    method,
    hasBase ? empty : undefined,
    inputs.map((input) => ({ ...input, values: empty })),
    params,
  );
  switch (method) {
    case "linear":
      return elementwise((_, slices, into) => linearMerge(withValues(inputs, slices), params, into));
    case "task_arithmetic":
      return elementwise((base, slices, into) =>
        taskArithmeticMerge(base!, withValues(inputs, slices), params, into),
      );
    case "dare_linear":
      return new DareLinearStream(inputs, params, context);
    case "dare_ties":
      return new DareTiesStream(inputs, params, context);
    case "ties":
      return new TiesStream(inputs, params, elementCount, tiesWindows);
    case "sce":
      return new SceStream(inputs.length, params, elementCount);
    default:
      return undefined;
  }
}

/** Methods computed position by position: every slice is merged on its own. */
function elementwise(
  merge: (
    base: Float32Array | undefined,
    slices: readonly Float32Array[],
    into: Float32Array,
  ) => Float32Array,
): ShareableMergeStream {
  let position = 0;
  return {
    statisticsPasses: 0,
    observe: () => {},
    merge: (base, slices, into) => {
      position += checkSlice(base, slices);
      return merge(base, slices, into);
    },
    splitsPass: () => true,
    takeStatistics: () => [],
    addStatistics: () => {},
    cursor: () => ({ position, tieBudgets: [] }),
    seek: (cursor) => {
      position = cursor.position;
    },
  };
}
