/**
 * A map from words to values, looked up by a span of a longer text (`text`, `start`, `end` and the span's
 * hash) rather than by a string: a word seen before costs one comparison, with no substring made and no
 * string hashed by the engine. Indexing looks up every word of every file; a `Map` keyed by
 * sliced words spent most of that time making and hashing the slices. Open addressing, linear probing.
 */
export class SpanMap<V> {
  private slots = new Int32Array(1 << 12);
  private readonly words: string[] = [];
  private readonly hashes: number[] = [];
  private readonly values: V[] = [];

  /** Entries at most: past that the map starts over (a cache of words, not a dictionary). */
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.words.length;
  }

  /**
   * The value of the word at text[start, end), made by `make` (and kept) when the word is new. `hash` is
   * the span's hash (codeTokens' spanHash).
   */
  getOrAdd(text: string, start: number, end: number, hash: number, make: (word: string) => V): V {
    const length = end - start;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) break;
      const word = this.words[entry]!;
      if (this.hashes[entry] === hash && word.length === length && text.startsWith(word, start))
        return this.values[entry]!;
      slot = (slot + 1) & mask;
    }
    const word = text.slice(start, end);
    const value = make(word);
    if (this.words.length >= this.capacity) {
      this.clear();
      slot = hash & (this.slots.length - 1);
    } else if ((this.words.length + 1) * 2 > this.slots.length) {
      this.grow();
      slot = hash & (this.slots.length - 1);
    }
    while (this.slots[slot] !== 0) slot = (slot + 1) & (this.slots.length - 1);
    this.words.push(word);
    this.hashes.push(hash);
    this.values.push(value);
    this.slots[slot] = this.words.length;
    return value;
  }

  clear(): void {
    this.words.length = 0;
    this.hashes.length = 0;
    this.values.length = 0;
    this.slots.fill(0);
  }

  /** Doubles the table and places every entry again. */
  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    this.hashes.forEach((hash, entry) => {
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    });
    this.slots = slots;
  }
}
