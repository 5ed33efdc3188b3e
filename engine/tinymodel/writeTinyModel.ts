import { GgmlType, GgufWriter, encodeTensor, gguf, type GgufValue } from "../gguf/index.js";
import type { CopyCircuit } from "./copyCircuit.js";
import { fillUniformNoise } from "./noise.js";
import { llamaTensorLayout, validateShape, type LlamaShape, type TensorLayout } from "./llamaShape.js";
import { chatMlTemplate, specialTokenIdKeys, specialTokenRoles } from "./specialTokens.js";
import type { Vocabulary } from "./vocabulary.js";

/**
 * Magnitude of the one-hot token embedding; large against the layers' noise, so the residual carries the
 * token.
 */
export const embeddingScale = 8;

export interface NoiseSpec {
  seed: number;
  /** Standard deviation of the uniform noise. */
  scale: number;
}

export interface TinyModelRecipe {
  name: string;
  description: string;
  shape: LlamaShape;
  vocabulary: Vocabulary;
  /** log P(next | current), row-major [current][next], vocabularySize². Ignored for embedding models. */
  nextTokenLogits: Float32Array;
  /** Storage type of the attention and feed-forward weights. */
  layerWeightType: GgmlType.F32 | GgmlType.F16 | GgmlType.Q8_0;
  /** The near-zero weights of every layer: real work for llama.cpp that barely moves the residual. */
  noise: NoiseSpec;
  /** An extra delta on every layer weight: what makes a fine-tune differ from its base beyond the output. */
  taskNoise?: NoiseSpec;
  /**
   * Per-dimension weights of the final norm; default 1/sqrt(n), which turns the normalised residual into the
   * one-hot.
   */
  outputNorm?: Float32Array;
  /** Mean pooling makes the model an embedding model. */
  pooling?: "mean";
  /**
   * In-context copying compiled into the first two blocks; such a model reads its prompt, so it is
   * prompted suffix-first (`coop.fim.layout` "spm"): the prompt ends with the prefix's last token.
   */
  copy?: CopyCircuit;
}

const fileTypeOf = { [GgmlType.F32]: 0, [GgmlType.F16]: 1, [GgmlType.Q8_0]: 7 } as const;

/**
 * Writes a llama-architecture GGUF in which a bigram language model is compiled into the weights:
 * token_embd carries the current token one-hot through near-zero layers, output_norm turns the
 * normalised residual back into that one-hot, and output.weight[next][current] = log P(next | current).
 * Tensors are generated and written one at a time, so memory stays at one tensor.
 */
export async function writeTinyModel(path: string, recipe: TinyModelRecipe): Promise<void> {
  const { shape, vocabulary } = recipe;
  validateShape(shape);
  if (vocabulary.size !== shape.vocabularySize) {
    throw new Error(`vocabulary has ${vocabulary.size} tokens but the shape says ${shape.vocabularySize}`);
  }
  const layout = llamaTensorLayout(shape);
  const writer = await GgufWriter.create(path);
  try {
    for (const [key, value] of modelMetadata(recipe)) writer.setMetadata(key, value);
    for (const tensor of layout) writer.addTensor(tensor.name, tensor.dims, storageType(tensor, recipe));
    for (const tensor of layout) {
      const values = tensorValues(tensor, recipe);
      const type = storageType(tensor, recipe);
      await writer.writeTensor(tensor.name, type === GgmlType.F32 ? values : encodeTensor(type, values));
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function storageType(tensor: TensorLayout, recipe: TinyModelRecipe): GgmlType {
  return tensor.role === "attention" || tensor.role === "feedForward" ? recipe.layerWeightType : GgmlType.F32;
}

function tensorValues(tensor: TensorLayout, recipe: TinyModelRecipe): Float32Array {
  const n = recipe.shape.embeddingLength;
  const vocabularySize = recipe.shape.vocabularySize;
  const values = new Float32Array(tensor.dims.reduce((a, b) => a * b, 1));
  switch (tensor.role) {
    case "embedding":
      for (let token = 0; token < vocabularySize; token++) values[token * n + token] = embeddingScale;
      return values;
    case "norm":
      if (tensor.name === "output_norm.weight") {
        if (recipe.copy) values.set(recipe.copy.outputNorm());
        else if (recipe.outputNorm) values.set(recipe.outputNorm);
        else values.fill(1 / Math.sqrt(n));
      } else {
        values.fill(1);
      }
      return values;
    case "output": {
      if (recipe.pooling === "mean") return values;
      const logits = recipe.nextTokenLogits;
      if (logits.length !== vocabularySize * vocabularySize)
        throw new Error("nextTokenLogits must be vocabularySize²");
      for (let next = 0; next < vocabularySize; next++) {
        for (let current = 0; current < vocabularySize; current++) {
          values[next * n + current] = logits[current * vocabularySize + next]!;
        }
      }
      recipe.copy?.addToOutput(values);
      return values;
    }
    case "attention":
    case "feedForward":
      fillUniformNoise(values, recipe.noise.seed, tensor.name, recipe.noise.scale);
      if (recipe.taskNoise)
        fillUniformNoise(values, recipe.taskNoise.seed, tensor.name, recipe.taskNoise.scale, true);
      recipe.copy?.addToLayer(tensor.name, values);
      return values;
  }
}

function modelMetadata(recipe: TinyModelRecipe): [string, GgufValue][] {
  const { shape, vocabulary } = recipe;
  const entries: [string, GgufValue][] = [
    ["general.architecture", gguf.str("llama")],
    ["general.type", gguf.str("model")],
    ["general.name", gguf.str(recipe.name)],
    ["general.description", gguf.str(recipe.description)],
    ["general.file_type", gguf.u32(fileTypeOf[recipe.layerWeightType])],
    ["llama.vocab_size", gguf.u32(shape.vocabularySize)],
    ["llama.context_length", gguf.u32(shape.contextLength)],
    ["llama.embedding_length", gguf.u32(shape.embeddingLength)],
    ["llama.block_count", gguf.u32(shape.blockCount)],
    ["llama.feed_forward_length", gguf.u32(shape.feedForwardLength)],
    ["llama.attention.head_count", gguf.u32(shape.headCount)],
    ["llama.attention.head_count_kv", gguf.u32(shape.headCountKv)],
    ["llama.attention.layer_norm_rms_epsilon", gguf.f32(1e-6)],
    ["llama.rope.dimension_count", gguf.u32(shape.embeddingLength / shape.headCount)],
    ["llama.rope.freq_base", gguf.f32(recipe.copy?.ropeFreqBase ?? 10000)],
  ];
  if (recipe.copy) entries.push(["coop.fim.layout", gguf.str("spm")]);
  if (recipe.pooling === "mean") entries.push(["llama.pooling_type", gguf.u32(1)]);
  entries.push(
    ["tokenizer.ggml.model", gguf.str("gpt2")],
    ["tokenizer.ggml.pre", gguf.str(vocabulary.preTokenizer)],
    ["tokenizer.ggml.tokens", gguf.strings(vocabulary.tokens)],
    ["tokenizer.ggml.token_type", gguf.i32s(vocabulary.tokenTypes)],
    ["tokenizer.ggml.merges", gguf.strings(vocabulary.merges)],
    ["tokenizer.ggml.add_bos_token", gguf.bool(false)],
  );
  for (const role of specialTokenRoles) {
    for (const key of specialTokenIdKeys[role] ?? []) entries.push([key, gguf.u32(vocabulary.special[role])]);
  }
  entries.push(["tokenizer.chat_template", gguf.str(chatMlTemplate)]);
  return entries;
}
