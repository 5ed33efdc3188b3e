/**
 * Line scores of chunks by the chunk's text, least recently used out first. A chunk is scored on its
 * own (from an empty sequence), so its scores depend on its text alone, and the retriever hands the
 * same chunks to one keystroke after another.
 */
export class LineScoreCache {
  private readonly entries = new Map<string, number[]>();

  constructor(private readonly capacity: number) {}

  get(lines: readonly string[]): number[] | undefined {
    const key = lines.join("\n");
    const scores = this.entries.get(key);
    if (scores === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, scores);
    return scores;
  }

  has(lines: readonly string[]): boolean {
    return this.entries.has(lines.join("\n"));
  }

  set(lines: readonly string[], scores: number[]): void {
    if (this.capacity <= 0) return;
    const key = lines.join("\n");
    this.entries.delete(key);
    this.entries.set(key, scores);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
