import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import type { LlamaRuntime } from "../runtime/index.js";
import type { Embedder } from "./embedder.js";

/** Chunks are a few dozen lines: a larger context only costs memory. */
const maxContextTokens = 2048;

/** An {@link Embedder} over a GGUF embedding model, through node-llama-cpp's embedding context. */
export class LlamaEmbedder implements Embedder {
  private constructor(
    readonly id: string,
    readonly dimension: number,
    private readonly model: LlamaModel,
    private readonly context: LlamaEmbeddingContext,
    private readonly contextSize: number,
  ) {}

  static async load(runtime: LlamaRuntime, modelPath: string): Promise<LlamaEmbedder> {
    const { model } = await runtime.loadModel(modelPath);
    const contextSize = Math.min(model.trainContextSize, maxContextTokens);
    const context = await model.createEmbeddingContext({ threads: runtime.threads, contextSize });
    const stats = await stat(modelPath);
    const id = `${basename(modelPath)}:${stats.size}:${Math.round(stats.mtimeMs)}`;
    return new LlamaEmbedder(id, model.embeddingVectorSize, model, context, contextSize);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    // Longer inputs are cut: the beginning is where a chunk names what it defines.
    for (const text of texts) {
      const all = this.model.tokenize(text);
      // The context adds its own tokens (BOS, EOS) and refuses inputs that fill it completely.
      const added = Math.max(0, this.context.calculateInputLength(all.slice(0, 1)) - Math.min(1, all.length));
      const tokens = all.slice(0, this.contextSize - 1 - added);
      if (tokens.length === 0) {
        vectors.push(new Float32Array(this.dimension));
        continue;
      }
      const embedding = await this.context.getEmbeddingFor(tokens);
      vectors.push(Float32Array.from(embedding.vector));
    }
    return vectors;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}
