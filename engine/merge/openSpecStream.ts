import { checkingFiniteInputs } from "./finiteInputs.js";
import { openTensorMergeStream, type TensorMergeStream } from "./methods/index.js";
import type { TensorStreamSpec } from "./workerProtocol.js";

/**
 * The tensor's merge stream as either thread opens it, checking its inputs are finite; undefined when the
 * method cannot stream.
 */
export function openSpecStream(spec: TensorStreamSpec): TensorMergeStream | undefined {
  const { method, hasBase, inputs, params, context, elementCount, names, tiesWindows } = spec;
  const stream = openTensorMergeStream(method, hasBase, inputs, params, context, elementCount, tiesWindows);
  return stream && checkingFiniteInputs(stream, names.tensor, names.baseFile, names.inputFiles);
}
