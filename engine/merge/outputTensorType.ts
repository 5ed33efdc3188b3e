import { GgmlType, type GgufTensorInfo } from "../gguf/index.js";
import type { MergeOutputType } from "./mergeJob.js";

const ggmlTypeOf: Record<MergeOutputType, GgmlType> = {
  F32: GgmlType.F32,
  F16: GgmlType.F16,
  Q8_0: GgmlType.Q8_0,
};

/** general.file_type values (llama_ftype) for a model whose big tensors have this type. */
export const fileTypeOf: Record<MergeOutputType, number> = { F32: 0, F16: 1, Q8_0: 7 };

/**
 * The type a merged tensor is written in: norms and other 1-D tensors stay F32 (llama.cpp expects
 * them so, and they are tiny); Q8_0 falls back to F16 for rows not made of whole 32-value blocks.
 */
export function outputTensorType(
  tensor: Pick<GgufTensorInfo, "name" | "dims">,
  requested: MergeOutputType,
): GgmlType {
  if (tensor.dims.length === 1 || tensor.name.includes("_norm") || tensor.name.endsWith("norm.weight"))
    return GgmlType.F32;
  if (requested === "Q8_0" && (tensor.dims[0] ?? 0) % 32 !== 0) return GgmlType.F16;
  return ggmlTypeOf[requested];
}
