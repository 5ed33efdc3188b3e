import { canEncode, GgmlType, type GgufFile, type GgufTensorInfo } from "../gguf/index.js";
import type { MergeOutputType } from "./mergeJob.js";
import {
  presetFileType,
  presetTensorTypes,
  type QuantModelFacts,
  type QuantPreset,
} from "./quantPresetTypes.js";

type PlainOutputType = "F32" | "F16" | "Q8_0";
type Tensor = Pick<GgufTensorInfo, "name" | "dims" | "type">;

const ggmlTypeOf: Record<PlainOutputType, GgmlType> = {
  F32: GgmlType.F32,
  F16: GgmlType.F16,
  Q8_0: GgmlType.Q8_0,
};

/** general.file_type values (llama_ftype) for a model written with this output type. */
export const fileTypeOf: Record<MergeOutputType, number> = { F32: 0, F16: 1, Q8_0: 7, ...presetFileType };

function isPlain(type: MergeOutputType): type is PlainOutputType {
  return type === "F32" || type === "F16" || type === "Q8_0";
}

/** Norms and other 1-D tensors stay F32: llama.cpp expects them so, and they are tiny. */
function staysF32(tensor: Tensor): boolean {
  return tensor.dims.length === 1 || tensor.name.includes("_norm") || tensor.name.endsWith("norm.weight");
}

function numberAt(reference: Pick<GgufFile, "get">, key: string): number | undefined {
  const value = reference.get(key);
  return typeof value === "number" || typeof value === "bigint" ? Number(value) : undefined;
}

function modelFacts(reference: Pick<GgufFile, "get">): QuantModelFacts {
  const architecture = reference.get("general.architecture");
  const arch = typeof architecture === "string" ? architecture : "";
  return {
    architecture: arch,
    blockCount: numberAt(reference, `${arch}.block_count`) ?? 0,
    expertCount: numberAt(reference, `${arch}.expert_count`) ?? 0,
    headCount: numberAt(reference, `${arch}.attention.head_count`) ?? 0,
    headCountKv: numberAt(reference, `${arch}.attention.head_count_kv`) ?? 0,
  };
}

/**
 * The type each merged tensor of the model `reference` describes (its tensors and metadata) is written
 * in. F32, F16 and Q8_0 apply to every tensor but 1-D ones, Q8_0 falling back to F16 for rows not
 * made of whole 32-value blocks. The quantization presets (Q4_K_M and the like) choose per tensor as
 * llama-quantize does; tensors llama.cpp leaves unquantized keep the reference's type (F16 when Coop
 * cannot write that type).
 */
export function outputTensorTypes(
  reference: Pick<GgufFile, "get" | "tensors">,
  requested: MergeOutputType,
): (tensor: Tensor) => GgmlType {
  if (isPlain(requested)) {
    return (tensor) => {
      if (staysF32(tensor)) return GgmlType.F32;
      if (requested === "Q8_0" && (tensor.dims[0] ?? 0) % 32 !== 0) return GgmlType.F16;
      return ggmlTypeOf[requested];
    };
  }
  const preset: QuantPreset = requested;
  const planned = presetTensorTypes(reference.tensors, modelFacts(reference), preset);
  return (tensor) => {
    if (staysF32(tensor)) return GgmlType.F32;
    return planned.get(tensor.name) ?? (canEncode(tensor.type) ? tensor.type : GgmlType.F16);
  };
}
