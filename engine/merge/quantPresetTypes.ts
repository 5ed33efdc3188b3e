// Per-tensor types of llama.cpp's quantization presets (llama-quant.cpp: tensor_allows_quantization,
// llama_tensor_get_type, tensor_type_fallback), for the presets Coop writes, without an importance
// matrix or overrides: what `llama-quantize model.gguf out.gguf Q4_K_M` would choose for each tensor.
import { GgmlType, type GgufTensorInfo } from "../gguf/index.js";

export type QuantPreset = "Q4_0" | "Q4_K_S" | "Q4_K_M" | "Q5_K_S" | "Q5_K_M" | "Q6_K";

/** The model facts llama.cpp's choice depends on, from the GGUF metadata. */
export interface QuantModelFacts {
  architecture: string;
  /** `<arch>.block_count` (hparams.n_layer). */
  blockCount: number;
  /** `<arch>.expert_count`, 0 for a dense model. */
  expertCount: number;
  /** `<arch>.attention.head_count` and `.head_count_kv`, for llama.cpp's LLM_TYPE_70B rule. */
  headCount: number;
  headCountKv: number;
}

type Tensor = Pick<GgufTensorInfo, "name" | "dims">;

const defaultTypeOf: Record<QuantPreset, GgmlType> = {
  Q4_0: GgmlType.Q4_0,
  Q4_K_S: GgmlType.Q4_K,
  Q4_K_M: GgmlType.Q4_K,
  Q5_K_S: GgmlType.Q5_K,
  Q5_K_M: GgmlType.Q5_K,
  Q6_K: GgmlType.Q6_K,
};

/** llama_ftype of each preset, for general.file_type. */
export const presetFileType: Record<QuantPreset, number> = {
  Q4_0: 2,
  Q4_K_S: 14,
  Q4_K_M: 15,
  Q5_K_S: 16,
  Q5_K_M: 17,
  Q6_K: 18,
};

type Category = "output" | "tokenEmbd" | "attnV" | "attnK" | "attnQ" | "attnOutput" | "ffnDown" | "other";

function categoryOf(name: string): Category {
  if (name === "output.weight") return "output";
  if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") return "tokenEmbd";
  // llama.cpp treats fused QKV and MLA's kv_b as attention V (its separate QKV rule is never reached).
  if (name.includes("attn_qkv.weight") || name.includes("attn_kv_b.weight") || name.includes("attn_v.weight"))
    return "attnV";
  if (name.includes("attn_k.weight")) return "attnK";
  if (name.includes("attn_q.weight")) return "attnQ";
  if (name.includes("attn_output.weight")) return "attnOutput";
  if (name.includes("ffn_down")) return "ffnDown";
  return "other";
}

/** Name parts of the tensors llama.cpp never quantizes: small, or read as embeddings by position. */
const notQuantized = [
  "_norm.weight",
  "ffn_gate_inp.weight",
  "ffn_gate_tid2eid.weight",
  "altup",
  "laurel",
  "per_layer_model_proj",
  "ssm_conv1d",
  "shortconv.conv.weight",
  "indexer.k_proj.weight",
  "indexer.q_proj.weight",
  ...["first", "w0", "w1", "w2", "v0", "v1", "v2", "a0", "a1", "a2", "g1", "g2", "decay_w1", "decay_w2"].map(
    (part) => `time_mix_${part}.weight`,
  ),
  "time_mix_lerp_fused.weight",
  "attn_rel_b.weight",
  ".position_embd",
  "sam.pos_embd",
  "sam.neck.",
  "sam.net_",
  ".rel_pos",
  ".patch_embd",
  ".patch_merger",
  "a.rvq.codebook",
  "mm.a.code_embd",
];

/** tensor_allows_quantization: 2-D or more, named *weight, and none of the small or special tensors. */
export function presetQuantizes(tensor: Tensor): boolean {
  const name = tensor.name;
  // ggml_n_dims: trailing dimensions of 1 do not count.
  let dimensions = tensor.dims.length;
  while (dimensions > 1 && tensor.dims[dimensions - 1] === 1) dimensions--;
  if (dimensions < 2 || !name.endsWith("weight")) return false;
  if (name === "position_embd.weight" || name === "token_types.weight") return false;
  return !notQuantized.some((part) => name.includes(part));
}

/** weight_name_comparer: by block number (tensors outside blocks first), then by name. */
function llamaCppOrder(a: string, b: string): number {
  const blockOf = (name: string): number => {
    const match = /^blk\.(\d+)\./.exec(name);
    return match === null ? -1 : Number(match[1]);
  };
  const difference = blockOf(a) - blockOf(b);
  if (difference !== 0) return difference;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The model sizes llama.cpp's loaders call LLM_TYPE_70B, whose attn_v gets more bits. */
function isLlmType70B(facts: QuantModelFacts): boolean {
  switch (facts.architecture) {
    case "llama":
      return facts.blockCount === 80 && facts.headCount !== facts.headCountKv;
    case "qwen2":
    case "deci":
    case "olmo":
      return facts.blockCount === 80;
    case "jais2":
      return facts.blockCount === 68;
    default:
      return false;
  }
}

function useMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.trunc(layers / 8);
  return layer < eighth || layer >= Math.trunc((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/** tensor_type_fallback: the type llama.cpp writes when the row length is not a whole number of blocks. */
function fallback(type: GgmlType, rowLength: number): GgmlType {
  const blockSize = type === GgmlType.Q4_0 || type === GgmlType.Q8_0 ? 32 : 256;
  if (rowLength % blockSize === 0) return type;
  const smaller =
    type === GgmlType.Q4_K
      ? GgmlType.Q5_0
      : type === GgmlType.Q5_K
        ? GgmlType.Q5_1
        : type === GgmlType.Q6_K
          ? GgmlType.Q8_0
          : type;
  return rowLength % 32 === 0 ? smaller : GgmlType.F16;
}

/**
 * The type llama.cpp's `preset` gives each tensor it quantizes (presetQuantizes), by name. Layer
 * positions count tensors in llama.cpp's order, as llama-quantize does.
 */
export function presetTensorTypes(
  tensors: readonly Tensor[],
  facts: QuantModelFacts,
  preset: QuantPreset,
): Map<string, GgmlType> {
  const ordered = [...tensors].sort((a, b) => llamaCppOrder(a.name, b.name));
  const categories = ordered.map((tensor) => categoryOf(tensor.name));
  const tiedEmbeddings = !categories.includes("output");
  const attentionVCount = categories.filter((c) => c === "attnV").length;
  const falcon = facts.architecture === "falcon";
  const is70B = isLlmType70B(facts);
  const layerOf = (name: string, counter: number): number => {
    if (facts.expertCount <= 1) return counter;
    const match = /^blk\.(\d+)\./.exec(name);
    if (match === null) throw new RangeError(`cannot tell the layer of tensor ${name} for ${preset}`);
    return Number(match[1]);
  };
  const layers = facts.blockCount;
  let attentionV = 0;
  let ffnDown = 0;
  const types = new Map<string, GgmlType>();
  for (const [index, tensor] of ordered.entries()) {
    if (!presetQuantizes(tensor)) continue;
    const category = categories[index]!;
    const rowLength = tensor.dims[0]!;
    let type = defaultTypeOf[preset];
    if (category === "output" || (tiedEmbeddings && category === "tokenEmbd")) {
      const blockSize = preset === "Q4_0" ? 32 : 256;
      type = falcon || rowLength % blockSize !== 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
    } else if (category === "attnV") {
      if ((preset === "Q4_K_M" || preset === "Q5_K_M") && useMoreBits(attentionV, attentionVCount))
        type = GgmlType.Q6_K;
      else if (preset === "Q4_K_S" && attentionV < 4) type = GgmlType.Q5_K;
      if (is70B && type === GgmlType.Q4_K) type = GgmlType.Q5_K;
      if (facts.expertCount === 8) type = GgmlType.Q8_0;
      attentionV++;
    } else if (category === "attnK") {
      if (facts.expertCount === 8) type = GgmlType.Q8_0;
    } else if (category === "ffnDown") {
      const layer = layerOf(tensor.name, ffnDown);
      if (preset === "Q4_K_M") {
        if (falcon) {
          type =
            layer < Math.trunc(layers / 16)
              ? GgmlType.Q6_K
              : useMoreBits(layer, layers)
                ? GgmlType.Q5_K
                : GgmlType.Q4_K;
        } else if (useMoreBits(layer, layers)) {
          type = GgmlType.Q6_K;
        }
      } else if (preset === "Q5_K_M" && useMoreBits(layer, layers)) {
        type = GgmlType.Q6_K;
      } else if (preset === "Q4_K_S" && !falcon && layer < Math.trunc(layers / 8)) {
        type = GgmlType.Q5_K;
      }
      ffnDown++;
    } else if (category === "attnOutput") {
      if (!falcon && facts.expertCount === 8 && (preset === "Q4_K_S" || preset === "Q4_K_M"))
        type = GgmlType.Q5_K;
    }
    types.set(tensor.name, fallback(type, rowLength));
  }
  return types;
}
