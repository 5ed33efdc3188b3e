import { forEachCodeTerm, forEachCodeWordSpan, splitWord } from "./codeTokens.js";
import { SpanMap } from "./spanMap.js";

export interface LexicalDocument {
  id: number;
  path: string;
  /** Names the chunk defines: a match there counts as much as several in the body. */
  names: string;
  text: string;
}

/** A query's scored terms (see {@link LexicalIndex.prepare}). */
export interface PreparedQuery {
  terms: string[];
  /** The terms' ids in the index, in the same order. */
  ids: number[];
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
/** Words whose term ids are kept for {@link LexicalIndex.add}. */
const maxCachedWords = 200_000;
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
  /** Scratch for {@link scoreDocuments}: the query's terms by term id. */
  private idfOfTerm = new Float64Array(0);
  private isQueryTerm = new Uint8Array(0);
  /** The term ids of the words added documents hold (the cache starts over when full). */
  private readonly wordTermIds = new SpanMap<Uint32Array>(maxCachedWords);
  private readonly termIdsOf = (word: string): Uint32Array => {
    const terms = splitWord(word);
    const ids = new Uint32Array(terms.length);
    for (let index = 0; index < terms.length; index++) ids[index] = this.termId(terms[index]!);
    return ids;
  };
  /** Scratch for {@link add}: a term's count in the document being added, zero between calls. */
  private termCounts = new Uint32Array(0);
  /** Scratch for {@link add}: the terms the document being added holds, in the order met. */
  private touchedTerms: Uint32Array = new Uint32Array(256);

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
    // Counted in a scratch array indexed by term id (a Map per document costs more than the terms), a
    // word's term ids looked up once per word rather than once per term, the terms met listed in scratch.
    let touched = 0;
    let length = 0;
    let weight = nameWeight;
    let text = "";
    const count = (start: number, end: number, hash: number): void => {
      const ids = this.wordTermIds.getOrAdd(text, start, end, hash, this.termIdsOf);
      const termCounts = this.termCounts; // after the lookup: a new term may have grown it
      for (let index = 0; index < ids.length; index++) {
        const id = ids[index]!;
        if (termCounts[id] === 0) {
          if (touched === this.touchedTerms.length) this.touchedTerms = grown(this.touchedTerms);
          this.touchedTerms[touched++] = id;
        }
        termCounts[id]! += weight;
      }
      length += ids.length;
    };
    text = document.names;
    forEachCodeWordSpan(text, count);
    weight = 1;
    text = document.text;
    forEachCodeWordSpan(text, count);
    text = document.path.replaceAll(/[/.]/g, " ");
    forEachCodeWordSpan(text, count);
    const termCounts = this.termCounts;
    const termIds = this.touchedTerms.slice(0, touched);
    const frequencies = new Uint16Array(touched);
    for (let index = 0; index < touched; index++) {
      const id = termIds[index]!;
      frequencies[index] = Math.min(termCounts[id]!, 0xffff);
      termCounts[id] = 0;
    }
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
    return this.prepare(query).terms;
  }

  /**
   * The query's scored terms and their ids, worked out once for the several scorings of one query
   * ({@link query}, {@link scoreDocuments}); valid until the index changes.
   */
  prepare(query: string): PreparedQuery {
    const known: { term: string; id: number; df: number }[] = [];
    const seen = new Set<string>();
    forEachCodeTerm(query, (term) => {
      if (seen.has(term)) return;
      seen.add(term);
      const id = this.termIds.get(term);
      const df = id === undefined ? 0 : this.documentFrequency[id]!;
      if (df > 0) known.push({ term, id: id!, df });
    });
    known.sort((x, y) => x.df - y.df);
    const terms: string[] = [];
    const ids: number[] = [];
    let postings = 0;
    for (const { term, id } of known) {
      postings += this.postingDocs[id]!.length;
      if (terms.length === maxQueryTerms || (terms.length > 0 && postings > maxQueryPostings)) break;
      terms.push(term);
      ids.push(id);
    }
    return { terms, ids };
  }

  query(query: string | PreparedQuery, limit: number): LexicalHit[] {
    const { terms, ids } = typeof query === "string" ? this.prepare(query) : query;
    const documents = this.slotOfId.size;
    if (terms.length === 0 || documents === 0) return [];
    const slots = this.idOfSlot.length;
    if (this.scores.length < slots) {
      this.scores = new Float64Array(slots * 2);
      this.matched = new Uint32Array(slots * 2);
      this.touched = new Int32Array(slots * 2);
    }
    const { scores, matched, touched, idOfSlot, lengthOfSlot } = this;
    const averageLength = this.totalLength / documents;
    let touchedCount = 0;
    for (let termIndex = 0; termIndex < ids.length; termIndex++) {
      const id = ids[termIndex]!;
      const df = this.documentFrequency[id]!;
      const idf = Math.log(1 + (documents - df + 0.5) / (df + 0.5));
      const docs = this.postingDocs[id]!;
      const frequencies = this.postingFrequencies[id]!;
      const bit = 1 << termIndex;
      for (let index = 0; index < docs.length; index++) {
        const slot = docs[index]!;
        if (idOfSlot[slot] === -1) continue;
        const tf = frequencies[index]!;
        const norm = tf + k1 * (1 - b + (b * lengthOfSlot[slot]!) / averageLength);
        if (matched[slot] === 0) touched[touchedCount++] = slot;
        scores[slot]! += (idf * tf * (k1 + 1)) / norm;
        matched[slot]! |= bit;
      }
    }

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
      id: idOfSlot[slot]!,
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
  scoreDocuments(query: string | PreparedQuery, ids: Iterable<number>): LexicalHit[] {
    const prepared = typeof query === "string" ? this.prepare(query) : query;
    const documents = this.slotOfId.size;
    if (prepared.terms.length === 0) return [];
    const averageLength = this.totalLength / documents;
    // The query's terms by id, in scratch arrays (zero again afterwards): no map lookup per term.
    if (this.idfOfTerm.length < this.terms.length) {
      this.idfOfTerm = new Float64Array(this.terms.length * 2);
      this.isQueryTerm = new Uint8Array(this.terms.length * 2);
    }
    const { idfOfTerm, isQueryTerm } = this;
    for (const id of prepared.ids) {
      const df = this.documentFrequency[id]!;
      idfOfTerm[id] = Math.log(1 + (documents - df + 0.5) / (df + 0.5));
      isQueryTerm[id] = 1;
    }
    const hits: LexicalHit[] = [];
    try {
      for (const id of ids) {
        const slot = this.slotOfId.get(id);
        if (slot === undefined) continue;
        const termIds = this.termsOfSlot[slot]!;
        const frequencies = this.frequenciesOfSlot[slot]!;
        const norm = k1 * (1 - b + (b * this.lengthOfSlot[slot]!) / averageLength);
        let score = 0;
        let matchedTerms: string[] | undefined;
        for (let index = 0; index < termIds.length; index++) {
          const termId = termIds[index]!;
          if (isQueryTerm[termId] === 0) continue;
          const tf = frequencies[index]!;
          score += (idfOfTerm[termId]! * tf * (k1 + 1)) / (tf + norm);
          (matchedTerms ??= []).push(this.terms[termId]!);
        }
        if (score > 0) hits.push({ id, score, terms: matchedTerms! });
      }
    } finally {
      for (const id of prepared.ids) {
        idfOfTerm[id] = 0;
        isQueryTerm[id] = 0;
      }
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
      if (id >= this.termCounts.length) {
        // add() counts into this scratch array: it holds every term's slot, zero between documents.
        const grown = new Uint32Array(Math.max(1024, (id + 1) * 2));
        grown.set(this.termCounts);
        this.termCounts = grown;
      }
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
    for (let index = 0; index < termIds.length; index++) {
      const term = termIds[index]!;
      this.postingDocs[term]!.push(slot);
      this.postingFrequencies[term]!.push(frequencies[index]!);
      this.documentFrequency[term]!++;
    }
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

/** A copy of `values` twice as long. */
function grown(values: Uint32Array): Uint32Array {
  const copy = new Uint32Array(values.length * 2);
  copy.set(values);
  return copy;
}
