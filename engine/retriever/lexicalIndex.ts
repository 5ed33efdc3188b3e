import { codeTerms, forEachCodeTerm } from "./codeTokens.js";

export interface LexicalDocument {
  id: number;
  path: string;
  /** Names the chunk defines: a match there counts as much as several in the body. */
  names: string;
  text: string;
}

export interface LexicalHit {
  id: number;
  score: number;
  /** The query terms the chunk contains. */
  terms: string[];
}

/** The index as plain arrays (live documents only), for JSON persistence. */
export interface LexicalSnapshot {
  terms: string[];
  ids: number[];
  lengths: number[];
  /** How many distinct terms each document has: slices of `termIds` and `frequencies`. */
  termCounts: number[];
  termIds: number[];
  frequencies: number[];
}

const k1 = 1.2;
const b = 0.75;
const nameWeight = 3;
/**
 * Only this many of a query's terms are scored, the rarest first. A query made of surrounding code
 * holds dozens of terms; the common ones (`const`, `return`) have postings in most chunks and an IDF
 * near zero, so they cost time and barely move the ranking.
 */
const maxQueryTerms = 24;
/** Rarest-first terms are scored until their postings add up to this, bounding a query's work. */
const maxQueryPostings = 40_000;
/** Compact the postings when this share of documents is dead. */
const compactionShare = 0.25;

/**
 * BM25 over code-aware terms, on flat arrays. minisearch was the first choice, but scoring a
 * code-window query (dozens of terms, postings in most chunks) through its maps took 36 ms at the
 * median and 220 ms at p95 on 28k chunks; this scores the same in about a millisecond.
 * Names a chunk defines count `nameWeight` times (a simple BM25F). Removal marks a document dead;
 * postings are compacted once enough are.
 */
export class LexicalIndex {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private postingDocs: number[][] = [];
  private postingFrequencies: number[][] = [];
  private readonly documentFrequency: number[] = [];
  private readonly slotOfId = new Map<number, number>();
  private idOfSlot: number[] = [];
  private lengthOfSlot: number[] = [];
  private termsOfSlot: Uint32Array[] = [];
  private frequenciesOfSlot: Uint16Array[] = [];
  private totalLength = 0;
  private dead = 0;
  private scores = new Float64Array(0);
  private matched = new Uint32Array(0);
  private touched = new Int32Array(0);
  /** Scratch for {@link add}: a term's count in the document being added, zero between calls. */
  private termCounts = new Uint32Array(0);

  static empty(): LexicalIndex {
    return new LexicalIndex();
  }

  static fromSnapshot(snapshot: LexicalSnapshot): LexicalIndex {
    const index = new LexicalIndex();
    snapshot.terms.forEach((term) => index.termId(term));
    let offset = 0;
    snapshot.ids.forEach((id, document) => {
      const count = snapshot.termCounts[document]!;
      const termIds = Uint32Array.from(snapshot.termIds.slice(offset, offset + count));
      const frequencies = Uint16Array.from(snapshot.frequencies.slice(offset, offset + count));
      offset += count;
      index.insert(id, snapshot.lengths[document]!, termIds, frequencies);
    });
    return index;
  }

  get size(): number {
    return this.slotOfId.size;
  }

  add(document: LexicalDocument): void {
    if (this.slotOfId.has(document.id)) this.remove(document.id);
    // Counted in a scratch array indexed by term id (a Map per document costs more than the terms).
    const touched: number[] = [];
    let length = 0;
    let weight = nameWeight;
    const count = (term: string): void => {
      const id = this.termId(term);
      if (id >= this.termCounts.length) {
        const grown = new Uint32Array(Math.max(1024, (id + 1) * 2));
        grown.set(this.termCounts);
        this.termCounts = grown;
      }
      if (this.termCounts[id] === 0) touched.push(id);
      this.termCounts[id]! += weight;
      length++;
    };
    forEachCodeTerm(document.names, count);
    weight = 1;
    forEachCodeTerm(document.text, count);
    forEachCodeTerm(document.path.replaceAll(/[/.]/g, " "), count);
    const termIds = Uint32Array.from(touched);
    const frequencies = Uint16Array.from(touched, (id) => Math.min(this.termCounts[id]!, 0xffff));
    for (const id of touched) this.termCounts[id] = 0;
    this.insert(document.id, length, termIds, frequencies);
  }

  remove(id: number): void {
    const slot = this.slotOfId.get(id);
    if (slot === undefined) return;
    this.slotOfId.delete(id);
    this.idOfSlot[slot] = -1;
    for (const term of this.termsOfSlot[slot]!) this.documentFrequency[term]!--;
    this.totalLength -= this.lengthOfSlot[slot]!;
    this.termsOfSlot[slot] = new Uint32Array(0);
    this.frequenciesOfSlot[slot] = new Uint16Array(0);
    this.dead++;
    if (this.dead > 1000 && this.dead > compactionShare * this.idOfSlot.length) this.compact();
  }

  /**
   * The query's scored terms: known to the index, rarest first, within {@link maxQueryTerms} and {@link
   * maxQueryPostings}.
   */
  queryTerms(query: string): string[] {
    const known = [...new Set(codeTerms(query))].filter(
      (term) => (this.documentFrequency[this.termIds.get(term) ?? -1] ?? 0) > 0,
    );
    known.sort(
      (x, y) => this.documentFrequency[this.termIds.get(x)!]! - this.documentFrequency[this.termIds.get(y)!]!,
    );
    const kept: string[] = [];
    let postings = 0;
    for (const term of known) {
      const id = this.termIds.get(term)!;
      postings += this.postingDocs[id]!.length;
      if (kept.length === maxQueryTerms || (kept.length > 0 && postings > maxQueryPostings)) break;
      kept.push(term);
    }
    return kept;
  }

  query(query: string, limit: number): LexicalHit[] {
    const terms = this.queryTerms(query);
    const documents = this.slotOfId.size;
    if (terms.length === 0 || documents === 0) return [];
    const slots = this.idOfSlot.length;
    if (this.scores.length < slots) {
      this.scores = new Float64Array(slots * 2);
      this.matched = new Uint32Array(slots * 2);
      this.touched = new Int32Array(slots * 2);
    }
    const { scores, matched, touched } = this;
    const averageLength = this.totalLength / documents;
    let touchedCount = 0;
    terms.forEach((term, termIndex) => {
      const id = this.termIds.get(term)!;
      const df = this.documentFrequency[id]!;
      const idf = Math.log(1 + (documents - df + 0.5) / (df + 0.5));
      const docs = this.postingDocs[id]!;
      const frequencies = this.postingFrequencies[id]!;
      for (let index = 0; index < docs.length; index++) {
        const slot = docs[index]!;
        if (this.idOfSlot[slot] === -1) continue;
        const tf = frequencies[index]!;
        const norm = tf + k1 * (1 - b + (b * this.lengthOfSlot[slot]!) / averageLength);
        if (matched[slot] === 0) touched[touchedCount++] = slot;
        scores[slot]! += (idf * tf * (k1 + 1)) / norm;
        matched[slot]! |= 1 << termIndex;
      }
    });

    const best: number[] = [];
    for (let index = 0; index < touchedCount; index++) {
      const slot = touched[index]!;
      const score = scores[slot]!;
      if (best.length === limit && score <= scores[best[limit - 1]!]!) continue;
      let position = best.length === limit ? limit - 1 : best.length;
      while (position > 0 && scores[best[position - 1]!]! < score) position--;
      best.splice(position, 0, slot);
      if (best.length > limit) best.pop();
    }
    const hits = best.map((slot) => ({
      id: this.idOfSlot[slot]!,
      score: scores[slot]!,
      terms: terms.filter((_, termIndex) => (matched[slot]! & (1 << termIndex)) !== 0),
    }));
    for (let index = 0; index < touchedCount; index++) {
      scores[touched[index]!] = 0;
      matched[touched[index]!] = 0;
    }
    return hits;
  }

  /**
   * BM25 scores of just these documents (e.g. one file's), best first; documents matching nothing are left
   * out.
   */
  scoreDocuments(query: string, ids: Iterable<number>): LexicalHit[] {
    const terms = this.queryTerms(query);
    const documents = this.slotOfId.size;
    if (terms.length === 0) return [];
    const averageLength = this.totalLength / documents;
    const idfOfTerm = new Map<number, { idf: number; term: string }>();
    for (const term of terms) {
      const id = this.termIds.get(term)!;
      const df = this.documentFrequency[id]!;
      idfOfTerm.set(id, { idf: Math.log(1 + (documents - df + 0.5) / (df + 0.5)), term });
    }
    const hits: LexicalHit[] = [];
    for (const id of ids) {
      const slot = this.slotOfId.get(id);
      if (slot === undefined) continue;
      const termIds = this.termsOfSlot[slot]!;
      const frequencies = this.frequenciesOfSlot[slot]!;
      const norm = k1 * (1 - b + (b * this.lengthOfSlot[slot]!) / averageLength);
      let score = 0;
      const matchedTerms: string[] = [];
      termIds.forEach((termId, index) => {
        const entry = idfOfTerm.get(termId);
        if (!entry) return;
        const tf = frequencies[index]!;
        score += (entry.idf * tf * (k1 + 1)) / (tf + norm);
        matchedTerms.push(entry.term);
      });
      if (score > 0) hits.push({ id, score, terms: matchedTerms });
    }
    return hits.sort((x, y) => y.score - x.score);
  }

  snapshot(): LexicalSnapshot {
    const snapshot: LexicalSnapshot = {
      terms: this.terms,
      ids: [],
      lengths: [],
      termCounts: [],
      termIds: [],
      frequencies: [],
    };
    this.idOfSlot.forEach((id, slot) => {
      if (id === -1) return;
      const termIds = this.termsOfSlot[slot]!;
      snapshot.ids.push(id);
      snapshot.lengths.push(this.lengthOfSlot[slot]!);
      snapshot.termCounts.push(termIds.length);
      for (const term of termIds) snapshot.termIds.push(term);
      for (const frequency of this.frequenciesOfSlot[slot]!) snapshot.frequencies.push(frequency);
    });
    return snapshot;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.termIds.set(term, id);
      this.terms.push(term);
      this.postingDocs.push([]);
      this.postingFrequencies.push([]);
      this.documentFrequency.push(0);
    }
    return id;
  }

  private insert(id: number, length: number, termIds: Uint32Array, frequencies: Uint16Array): void {
    const slot = this.idOfSlot.length;
    this.slotOfId.set(id, slot);
    this.idOfSlot.push(id);
    this.lengthOfSlot.push(length);
    this.termsOfSlot.push(termIds);
    this.frequenciesOfSlot.push(frequencies);
    this.totalLength += length;
    termIds.forEach((term, index) => {
      this.postingDocs[term]!.push(slot);
      this.postingFrequencies[term]!.push(frequencies[index]!);
      this.documentFrequency[term]!++;
    });
  }

  /** Renumbers live documents densely and rebuilds the postings without the dead ones. */
  private compact(): void {
    const live = this.idOfSlot.flatMap((id, slot) => (id === -1 ? [] : [slot]));
    const ids = live.map((slot) => this.idOfSlot[slot]!);
    const lengths = live.map((slot) => this.lengthOfSlot[slot]!);
    const termsOfSlot = live.map((slot) => this.termsOfSlot[slot]!);
    const frequenciesOfSlot = live.map((slot) => this.frequenciesOfSlot[slot]!);
    this.idOfSlot = [];
    this.lengthOfSlot = [];
    this.termsOfSlot = [];
    this.frequenciesOfSlot = [];
    this.postingDocs = this.terms.map(() => []);
    this.postingFrequencies = this.terms.map(() => []);
    this.documentFrequency.fill(0);
    this.slotOfId.clear();
    this.totalLength = 0;
    this.dead = 0;
    ids.forEach((id, index) =>
      this.insert(id, lengths[index]!, termsOfSlot[index]!, frequenciesOfSlot[index]!),
    );
  }
}
