import { GgmlType, GgufWriter, gguf } from "../gguf/index.js";

export interface LoraTensorPair {
  /** The base tensor it adapts, e.g. `output.weight`. */
  target: string;
  inputLength: number;
  outputLength: number;
  rank: number;
  /** A: rank rows of inputLength (ggml dims [inputLength, rank]). */
  a: Float32Array;
  /** B: outputLength rows of rank (ggml dims [rank, outputLength]). */
  b: Float32Array;
}

export interface LoraAdapterRecipe {
  name: string;
  description: string;
  architecture: string;
  /** llama.cpp scales the delta B·A by alpha / rank (times the scale the user picks). */
  alpha: number;
  pairs: LoraTensorPair[];
}

/** Writes a LoRA adapter GGUF as llama.cpp reads it (general.type adapter, `<name>.lora_a` / `.lora_b`). */
export async function writeLoraAdapter(path: string, recipe: LoraAdapterRecipe): Promise<void> {
  const writer = await GgufWriter.create(path);
  try {
    writer.setMetadata("general.architecture", gguf.str(recipe.architecture));
    writer.setMetadata("general.type", gguf.str("adapter"));
    writer.setMetadata("general.name", gguf.str(recipe.name));
    writer.setMetadata("general.description", gguf.str(recipe.description));
    writer.setMetadata("adapter.type", gguf.str("lora"));
    writer.setMetadata("adapter.lora.alpha", gguf.f32(recipe.alpha));
    for (const pair of recipe.pairs) {
      if (pair.a.length !== pair.rank * pair.inputLength || pair.b.length !== pair.outputLength * pair.rank) {
        throw new Error(`${pair.target}: A and B do not match rank ${pair.rank}`);
      }
      writer.addTensor(`${pair.target}.lora_a`, [pair.inputLength, pair.rank], GgmlType.F32);
      writer.addTensor(`${pair.target}.lora_b`, [pair.rank, pair.outputLength], GgmlType.F32);
    }
    for (const pair of recipe.pairs) {
      await writer.writeTensor(`${pair.target}.lora_a`, pair.a);
      await writer.writeTensor(`${pair.target}.lora_b`, pair.b);
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
