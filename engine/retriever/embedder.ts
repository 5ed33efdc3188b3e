/** Turns texts into vectors of one fixed dimension; the retriever compares them by cosine similarity. */
export interface Embedder {
  /** Identifies the model: stored vectors are reused only by an embedder with the same id. */
  readonly id: string;
  readonly dimension: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}
