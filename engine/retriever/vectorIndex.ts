/** Unit-length vectors by chunk id, searched exhaustively (a workspace's chunks fit comfortably). */
export class VectorIndex {
  private readonly vectors = new Map<number, Float32Array>();

  constructor(readonly dimension: number) {}

  get size(): number {
    return this.vectors.size;
  }

  set(id: number, vector: Float32Array): void {
    if (vector.length !== this.dimension)
      throw new Error(`expected a vector of ${this.dimension} values, got ${vector.length}`);
    this.vectors.set(id, normalized(vector));
  }

  delete(id: number): void {
    this.vectors.delete(id);
  }

  has(id: number): boolean {
    return this.vectors.has(id);
  }

  entries(): IterableIterator<[number, Float32Array]> {
    return this.vectors.entries();
  }

  /** The `k` ids most similar to the query by cosine, best first; ids with no similarity are left out. */
  nearest(query: Float32Array, k: number): { id: number; similarity: number }[] {
    const unit = normalized(query);
    const best: { id: number; similarity: number }[] = [];
    for (const [id, vector] of this.vectors) {
      let dot = 0;
      for (let index = 0; index < unit.length; index++) dot += unit[index]! * vector[index]!;
      if (dot <= 0) continue;
      if (best.length === k && dot <= best[k - 1]!.similarity) continue;
      let position = best.length === k ? k - 1 : best.length;
      while (position > 0 && best[position - 1]!.similarity < dot) position--;
      best.splice(position, 0, { id, similarity: dot });
      if (best.length > k) best.pop();
    }
    return best;
  }
}

function normalized(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) return Float32Array.from(vector);
  return vector.map((value) => value / norm);
}
