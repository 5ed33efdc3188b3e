import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { basename } from "node:path";
import { openGguf, type GgufFile } from "../gguf/index.js";

/**
 * Thrown when a file is not a model llama.cpp can load safely; the message names the file and the problem.
 */
export class ModelFileError extends CoopError {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(coopErrorCodes.modelFile, `${basename(path)} cannot be loaded: ${problems.join("; ")}`);
    this.name = "ModelFileError";
  }
}

export interface ModelFileSummary {
  path: string;
  /** `model` for a full model, `adapter` for a LoRA adapter. */
  kind: "model" | "adapter";
  architecture: string;
  name?: string;
  contextLength?: number;
  embeddingLength?: number;
  blockCount?: number;
  vocabularySize?: number;
  tokenizerModel?: string;
  fileSize: number;
  tensorCount: number;
}

/**
 * Keys llama.cpp reads without a default for decoder transformers: with node-llama-cpp 3.22.1 a file
 * missing some of them ends the whole process in a GGML_ASSERT instead of throwing, so we check first.
 */
const requiredArchitectureKeys = [
  "context_length",
  "embedding_length",
  "block_count",
  "feed_forward_length",
  "attention.head_count",
] as const;

/** Architectures whose layers are RMS-normalised and need the epsilon key. */
const rmsNormArchitectures = new Set([
  "llama",
  "qwen2",
  "qwen3",
  "qwen2moe",
  "qwen3moe",
  "mistral",
  "gemma",
  "gemma2",
  "gemma3",
  "starcoder2",
  "deepseek2",
  "granite",
  "phi3",
]);

/** Architectures whose weights are not a decoder transformer in the sense of the keys above. */
const nonTransformerArchitectures = new Set([
  "clip",
  "mamba",
  "mamba2",
  "rwkv6",
  "rwkv7",
  "t5encoder",
  "wavtokenizer-dec",
]);

/**
 * Reads the header of a GGUF file and checks what llama.cpp would otherwise assert on.
 * Reading the header also checks the file's structure: truncated or corrupt files are rejected here.
 */
export async function validateModelFile(path: string): Promise<ModelFileSummary> {
  let file: GgufFile;
  try {
    file = await openGguf(path);
  } catch (error) {
    throw new ModelFileError(path, [describeError(error)]);
  }
  try {
    return summarise(path, file);
  } catch (error) {
    // A key of the wrong type (a string where a count belongs, say) is as fatal as a missing one.
    throw error instanceof ModelFileError ? error : new ModelFileError(path, [describeError(error)]);
  } finally {
    await file.close();
  }
}

function summarise(path: string, file: GgufFile): ModelFileSummary {
  const problems: string[] = [];
  const architecture = file.getString("general.architecture");
  if (architecture === undefined) {
    throw new ModelFileError(path, ["general.architecture is missing (not a llama.cpp model file?)"]);
  }
  const kind = file.getString("general.type") === "adapter" ? "adapter" : "model";
  const base = {
    path,
    kind,
    architecture,
    name: file.getString("general.name"),
    fileSize: file.fileSize,
    tensorCount: file.tensors.length,
  } as const;

  if (kind === "adapter") {
    checkAdapter(file, problems);
    if (problems.length > 0) throw new ModelFileError(path, problems);
    return base;
  }

  const number = (key: string): number | undefined => {
    const value = file.getNumber(`${architecture}.${key}`);
    return value === undefined ? undefined : Number(value);
  };

  if (!nonTransformerArchitectures.has(architecture)) {
    for (const key of requiredArchitectureKeys) {
      if (number(key) === undefined) problems.push(`${architecture}.${key} is missing`);
    }
    if (rmsNormArchitectures.has(architecture) && number("attention.layer_norm_rms_epsilon") === undefined) {
      problems.push(`${architecture}.attention.layer_norm_rms_epsilon is missing`);
    }
    const embedding = number("embedding_length");
    const heads = number("attention.head_count");
    const kvHeads = number("attention.head_count_kv");
    const blocks = number("block_count");
    if (embedding !== undefined && embedding <= 0)
      problems.push(`${architecture}.embedding_length is ${embedding}`);
    if (blocks !== undefined && blocks <= 0) problems.push(`${architecture}.block_count is ${blocks}`);
    if (heads !== undefined && heads <= 0) problems.push(`${architecture}.attention.head_count is ${heads}`);
    if (
      embedding !== undefined &&
      heads !== undefined &&
      heads > 0 &&
      embedding % heads !== 0 &&
      number("attention.key_length") === undefined
    ) {
      problems.push(
        `${architecture}.embedding_length ${embedding} is not a multiple of attention.head_count ${heads}`,
      );
    }
    if (heads !== undefined && kvHeads !== undefined && (kvHeads <= 0 || heads % kvHeads !== 0)) {
      problems.push(`attention.head_count ${heads} is not a multiple of attention.head_count_kv ${kvHeads}`);
    }
  }

  const tokenizerModel = file.getString("tokenizer.ggml.model");
  const tokens = file.getArray("tokenizer.ggml.tokens");
  if (tokenizerModel === undefined) problems.push("tokenizer.ggml.model is missing");
  if (tokens === undefined) problems.push("tokenizer.ggml.tokens is missing");
  else if (tokens.length === 0) problems.push("tokenizer.ggml.tokens is empty");
  if (tokenizerModel === "gpt2" && file.getArray("tokenizer.ggml.merges") === undefined) {
    problems.push("tokenizer.ggml.merges is missing (required by the gpt2 tokenizer)");
  }
  const tokenTypes = file.getArray("tokenizer.ggml.token_type");
  if (tokens !== undefined && tokenTypes !== undefined && tokenTypes.length !== tokens.length) {
    problems.push(`tokenizer.ggml.token_type has ${tokenTypes.length} entries for ${tokens.length} tokens`);
  }
  if (tokens !== undefined) checkTokenIds(file, tokens.length, problems);

  const embeddingTensor = file.tensors.find((tensor) => tensor.name === "token_embd.weight");
  if (!nonTransformerArchitectures.has(architecture) && embeddingTensor === undefined) {
    problems.push("tensor token_embd.weight is missing");
  }
  if (
    embeddingTensor !== undefined &&
    tokens !== undefined &&
    embeddingTensor.dims[1] !== undefined &&
    embeddingTensor.dims[1] < tokens.length
  ) {
    problems.push(`token_embd.weight has ${embeddingTensor.dims[1]} rows for ${tokens.length} tokens`);
  }

  if (problems.length > 0) throw new ModelFileError(path, problems);
  return {
    ...base,
    contextLength: number("context_length"),
    embeddingLength: number("embedding_length"),
    blockCount: number("block_count"),
    vocabularySize: tokens?.length,
    tokenizerModel,
  };
}

const specialTokenKeys = [
  "bos",
  "eos",
  "eot",
  "eom",
  "unknown",
  "padding",
  "separator",
  "fim_pre",
  "fim_suf",
  "fim_mid",
  "fim_pad",
  "fim_rep",
  "fim_sep",
];

function checkTokenIds(file: GgufFile, vocabularySize: number, problems: string[]): void {
  for (const name of specialTokenKeys) {
    const key = `tokenizer.ggml.${name}_token_id`;
    const id = file.getNumber(key);
    if (id !== undefined && (Number(id) < 0 || Number(id) >= vocabularySize)) {
      problems.push(`${key} is ${id}, outside the ${vocabularySize} tokens`);
    }
  }
}

function checkAdapter(file: GgufFile, problems: string[]): void {
  const adapterType = file.getString("adapter.type");
  if (adapterType !== "lora") problems.push(`adapter.type is ${adapterType ?? "missing"}, expected lora`);
  const names = new Set(file.tensors.map((tensor) => tensor.name));
  let pairs = 0;
  for (const tensor of file.tensors) {
    if (tensor.name.endsWith(".lora_a")) {
      const partner = tensor.name.slice(0, -".lora_a".length) + ".lora_b";
      const b = file.tensors.find((candidate) => candidate.name === partner);
      if (b === undefined) {
        problems.push(`${tensor.name} has no ${partner}`);
        continue;
      }
      pairs++;
      if (tensor.dims[1] !== b.dims[0]) {
        problems.push(`${tensor.name} has rank ${tensor.dims[1]} but ${partner} has rank ${b.dims[0]}`);
      }
    } else if (tensor.name.endsWith(".lora_b")) {
      const partner = tensor.name.slice(0, -".lora_b".length) + ".lora_a";
      if (!names.has(partner)) problems.push(`${tensor.name} has no ${partner}`);
    }
  }
  if (pairs === 0) problems.push("the adapter has no lora_a/lora_b tensor pairs");
}
