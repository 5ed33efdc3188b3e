import { basename } from "node:path";
import {
  isShareable,
  type HalfSliceStream,
  type ShareableMergeStream,
  type TensorMergeStream,
} from "./methods/index.js";
import { MergeError } from "./mergeError.js";

/**
 * Refuses a NaN or infinite value among an input tensor's values, naming the file, the tensor and the
 * element (`firstElement` is values[0]'s position in the tensor): one would spread through the merge
 * unseen into an F32 or F16 output, or fail a quantized one far from its cause.
 */
export function checkFinite(values: Float32Array, file: string, tensor: string, firstElement = 0): void {
  for (let j = 0; j < values.length; j++) {
    const x = values[j]!;
    // x − x is 0 for every finite x, NaN for NaN and ±Infinity.
    if (x - x !== 0) {
      throw new MergeError(
        `merge input ${basename(file)}: tensor '${tensor}' holds ${x} at element ${firstElement + j}; a merge needs finite values (${file})`,
      );
    }
  }
}

/**
 * The stream, checking every input slice (and the base's) for non-finite values as it is merged (or
 * trusting the stream's own finding, where it has one: mergeIfFinite). The merging pass shows every slice
 * once, in position order, so the position of each is counted here (or set by seek, when a copy in another
 * thread merged the slices between).
 */
export function checkingFiniteInputs(
  stream: TensorMergeStream,
  tensor: string,
  baseFile: string | undefined,
  inputFiles: readonly string[],
): TensorMergeStream {
  let position = 0;
  // A slice the stream gives up on (a non-finite value) comes back through merge() decoded, and is checked.
  const halves: HalfSliceStream | undefined = stream.halves && {
    observe: (pass, base, slices) => stream.halves!.observe(pass, base, slices),
    mergeIfFinite: (base, slices, into) => {
      const merged = stream.halves!.mergeIfFinite(base, slices, into);
      if (merged) position += slices[0]?.length ?? 0;
      return merged;
    },
  };
  const checked: TensorMergeStream = {
    halves,
    // A getter: a stream may find it needs fewer passes once the first is done (TiesStream).
    get statisticsPasses() {
      return stream.statisticsPasses;
    },
    observe: (pass, base, slices) => stream.observe(pass, base, slices),
    merge: (base, slices, into) => {
      const merged = stream.mergeIfFinite?.(base, slices, into);
      if (merged !== undefined) {
        position += slices[0]?.length ?? 0;
        return merged;
      }
      if (base !== undefined && baseFile !== undefined) checkFinite(base, baseFile, tensor, position);
      slices.forEach((slice, i) => checkFinite(slice, inputFiles[i]!, tensor, position));
      position += slices[0]?.length ?? 0;
      return stream.merge(base, slices, into);
    },
  };
  if (!isShareable(stream)) return checked;
  const shareable: ShareableMergeStream = {
    // Not a spread of `checked`, which would read its statisticsPasses once.
    get statisticsPasses() {
      return stream.statisticsPasses;
    },
    observe: (pass, base, slices) => checked.observe(pass, base, slices),
    merge: (base, slices, into) => checked.merge(base, slices, into),
    halves,
    splitsPass: (pass) => stream.splitsPass(pass),
    takeStatistics: (pass) => stream.takeStatistics(pass),
    addStatistics: (pass, statistics) => stream.addStatistics(pass, statistics),
    cursor: () => stream.cursor(),
    seek: (cursor) => {
      position = cursor.position;
      stream.seek(cursor);
    },
  };
  return shareable;
}
