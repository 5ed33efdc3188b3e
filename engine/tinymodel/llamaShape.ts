/** The hyper-parameters of a llama-architecture model. */
export interface LlamaShape {
  vocabularySize: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  contextLength: number;
}

export type TensorRole = "embedding" | "norm" | "attention" | "feedForward" | "output";

export interface TensorLayout {
  name: string;
  /** ggml order: ne0 (the row length) first. */
  dims: number[];
  role: TensorRole;
  /** For norms: the block's residual input. */
  block?: number;
}

/** The tensors llama.cpp expects for LLM_ARCH_LLAMA, in the order convert_hf_to_gguf writes them. */
export function llamaTensorLayout(shape: LlamaShape): TensorLayout[] {
  const n = shape.embeddingLength;
  const kv = (n / shape.headCount) * shape.headCountKv;
  const ff = shape.feedForwardLength;
  const tensors: TensorLayout[] = [
    { name: "token_embd.weight", dims: [n, shape.vocabularySize], role: "embedding" },
  ];
  for (let block = 0; block < shape.blockCount; block++) {
    const prefix = `blk.${block}`;
    tensors.push(
      { name: `${prefix}.attn_norm.weight`, dims: [n], role: "norm", block },
      { name: `${prefix}.attn_q.weight`, dims: [n, n], role: "attention", block },
      { name: `${prefix}.attn_k.weight`, dims: [n, kv], role: "attention", block },
      { name: `${prefix}.attn_v.weight`, dims: [n, kv], role: "attention", block },
      { name: `${prefix}.attn_output.weight`, dims: [n, n], role: "attention", block },
      { name: `${prefix}.ffn_norm.weight`, dims: [n], role: "norm", block },
      { name: `${prefix}.ffn_gate.weight`, dims: [n, ff], role: "feedForward", block },
      { name: `${prefix}.ffn_up.weight`, dims: [n, ff], role: "feedForward", block },
      { name: `${prefix}.ffn_down.weight`, dims: [ff, n], role: "feedForward", block },
    );
  }
  tensors.push(
    { name: "output_norm.weight", dims: [n], role: "norm" },
    { name: "output.weight", dims: [n, shape.vocabularySize], role: "output" },
  );
  return tensors;
}

export function validateShape(shape: LlamaShape): void {
  if (shape.embeddingLength < shape.vocabularySize) {
    throw new Error(
      `embeddingLength ${shape.embeddingLength} must be at least the vocabulary size ${shape.vocabularySize}: the tiny models carry the current token one-hot`,
    );
  }
  if (shape.embeddingLength % shape.headCount !== 0)
    throw new Error("embeddingLength must be a multiple of headCount");
  if (shape.headCount % shape.headCountKv !== 0)
    throw new Error("headCount must be a multiple of headCountKv");
}

export function parameterCount(shape: LlamaShape): number {
  return llamaTensorLayout(shape).reduce((sum, tensor) => sum + tensor.dims.reduce((a, b) => a * b, 1), 0);
}
