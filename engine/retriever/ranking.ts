import { identifiersIn } from "./codeTokens.js";
import { cursorDefinitions } from "./cursorDefinitions.js";
import type { SymbolKind } from "./fileAnalyzer.js";
import type { PreparedQuery } from "./lexicalIndex.js";
import { reciprocalRankFusion, type WeightedList } from "./rankFusion.js";
import type { LineRange, RecencyTracker } from "./recency.js";
import type { QueryOptions, RetrievedChunk } from "./retriever.js";
import { approximateTokenCount, packToBudget } from "./tokenBudget.js";
import type { WorkspaceIndex } from "./workspaceIndex.js";

/** Candidates taken from each ranked list before fusion. */
const candidatesPerList = 50;
/** A name defined more often than this says little about which chunk is meant. */
const maxDefinitionsPerSymbolHit = 8;
const topLevelKinds: readonly SymbolKind[] = ["function", "class", "interface", "type", "enum", "module"];
/** Imported files hold many definitions the cursor does not need: their list counts half. */
const importedDefinitionsWeight = 0.5;
/**
 * The members of the cursor's receiver type are the most specific signal there is, then the
 * definitions of the names the file imports: their lists outweigh the lexical and symbol lists.
 */
const receiverMembersWeight = 8;
const importedNamesWeight = 3;

/**
 * Ranks the index's chunks for a query: BM25, vector similarity, definitions the query names and
 * definitions near where it comes from, each a ranked list, fused by reciprocal rank, then boosted by
 * recency; nested duplicates dropped, then `k` and the token budget applied. `options.from.path` is
 * relative to the root.
 */
export function rankChunks(
  index: WorkspaceIndex,
  recency: RecencyTracker,
  text: string,
  vector: Float32Array | undefined,
  options: QueryOptions,
): RetrievedChunk[] {
  const why = new Map<number, string[]>();
  const reason = (id: number, message: string): void => {
    const list = why.get(id);
    if (list) list.push(message);
    else why.set(id, [message]);
  };

  // The query's terms are worked out once for the lexical list and the nearby definitions' scoring.
  const prepared = index.lexical.prepare(text);
  const lexicalHits = index.lexical.query(prepared, candidatesPerList);
  for (const hit of lexicalHits) reason(hit.id, `lexical: ${hit.terms.join(", ")}`);
  const lists: (number[] | WeightedList<number>)[] = [lexicalHits.map((hit) => hit.id)];

  if (vector && index.vectors) {
    const nearest = index.vectors.nearest(vector, candidatesPerList);
    for (const hit of nearest) reason(hit.id, `vector: ${hit.similarity.toFixed(3)}`);
    lists.push(nearest.map((hit) => hit.id));
  }

  const from = options.from;
  /**
   * Definitions found at the cursor rank as pieces of their chunks (ids below zero): the definition's
   * own lines, not all a packed chunk holds.
   */
  const pieces = new Map<number, { chunkId: number; focus: LineRange }>();
  if (from) {
    const inFile = bestDefinitions(index, prepared, [from.path]);
    for (const id of inFile) reason(id, "nearby: a definition in the current file");
    const imported = bestDefinitions(index, prepared, index.importsOf(from.path));
    for (const id of imported) reason(id, `nearby: a definition in imported ${index.chunks.get(id)!.path}`);
    lists.push(inFile, { ids: imported, weight: importedDefinitionsWeight });
    if (from.cursor) {
      const { members, imports } = cursorDefinitions(index, from.path, from.cursor, candidatesPerList);
      const pieceIds = (definitions: typeof members): number[] =>
        definitions.map(({ chunkId, focus, why: message }) => {
          const id = -(pieces.size + 1);
          pieces.set(id, { chunkId, focus });
          reason(id, message);
          return id;
        });
      lists.push({ ids: pieceIds(members), weight: receiverMembersWeight });
      lists.push({ ids: pieceIds(imports), weight: importedNamesWeight });
    }
  }

  const symbolHits = namedDefinitions(index, text);
  for (const [id, message] of symbolHits) reason(id, message);
  if (symbolHits.size > 0) lists.push([...symbolHits.keys()]);

  const ranked: RetrievedChunk[] = [];
  for (const [id, fused] of reciprocalRankFusion(lists)) {
    const piece = pieces.get(id);
    const entry = index.chunks.get(piece?.chunkId ?? id);
    if (!entry) continue;
    const { chunk, path } = entry;
    const whole = piece ? linesOf(chunk, piece.focus) : chunk;
    let lines = whole;
    if (from && from.path === path) {
      if (whole.startLine <= from.endLine && whole.endLine >= from.startLine) continue;
      const outside = from.promptLines && outsideOf(whole, from.promptLines);
      if (outside === null) continue;
      if (outside) lines = outside;
    }
    const boost = recency.boost(path, chunk);
    ranked.push({
      path,
      startLine: lines.startLine,
      endLine: lines.endLine,
      text: lines.text,
      score: fused * boost.factor,
      why: [
        ...why.get(id)!,
        ...boost.reasons,
        ...(lines === whole ? [] : [`in the prompt already: lines ${whole.startLine}-${whole.endLine} cut`]),
      ],
    });
  }
  ranked.sort((a, b) => b.score - a.score);

  const distinct = withoutNestedDuplicates(ranked, candidatesPerList);
  const budget = options.budgetTokens ?? Number.POSITIVE_INFINITY;
  return packToBudget(distinct, budget, options.countTokens ?? approximateTokenCount, {
    limit: options.k ?? 10,
  });
}

/**
 * A chunk's lines outside a range of its file: the chunk itself when it does not meet the range,
 * null when the range holds all of it, else the part before or after the range (the larger, should
 * the chunk cross both ends).
 */
function outsideOf(
  chunk: LineRange & { text: string },
  range: LineRange,
): (LineRange & { text: string }) | null | undefined {
  if (chunk.endLine < range.startLine || chunk.startLine > range.endLine) return undefined;
  if (chunk.startLine >= range.startLine && chunk.endLine <= range.endLine) return null;
  const lines = chunk.text.split("\n");
  const before = Math.max(0, range.startLine - chunk.startLine);
  const after = Math.max(0, chunk.endLine - range.endLine);
  if (before >= after)
    return {
      startLine: chunk.startLine,
      endLine: range.startLine - 1,
      text: lines.slice(0, before).join("\n"),
    };
  return {
    startLine: range.endLine + 1,
    endLine: chunk.endLine,
    text: lines.slice(lines.length - after).join("\n"),
  };
}

/** The chunk's lines within a range (the chunk itself when the range holds it all). */
function linesOf(chunk: LineRange & { text: string }, range: LineRange): LineRange & { text: string } {
  const startLine = Math.max(chunk.startLine, range.startLine);
  const endLine = Math.min(chunk.endLine, range.endLine);
  if (startLine === chunk.startLine && endLine === chunk.endLine) return chunk;
  const text = chunk.text
    .split("\n")
    .slice(startLine - chunk.startLine, endLine - chunk.startLine + 1)
    .join("\n");
  return { startLine, endLine, text };
}

/** Chunks defining identifiers the query names, in the order the query names them. */
function namedDefinitions(index: WorkspaceIndex, text: string): Map<number, string> {
  const hits = new Map<number, string>();
  for (const name of identifiersIn(text)) {
    // A plain lower-case word in a question ("model", "file") names members and locals by accident.
    const kinds = /^[a-z]+$/.test(name) ? topLevelKinds : undefined;
    const definitions = index.symbols.byName(name, kinds);
    if (definitions.length === 0 || definitions.length > maxDefinitionsPerSymbolHit) continue;
    for (const definition of definitions) {
      const chunk = index.chunkAt(definition.path, definition.startLine);
      if (chunk && !hits.has(chunk.id)) hits.set(chunk.id, `symbol: ${definition.name} (${definition.kind})`);
    }
  }
  return hits;
}

/** The chunks of these files that define something, best matching the query first. */
function bestDefinitions(index: WorkspaceIndex, query: PreparedQuery, paths: readonly string[]): number[] {
  const ids = paths.flatMap((path) => index.definingChunks(path));
  return index.lexical
    .scoreDocuments(query, ids)
    .slice(0, candidatesPerList)
    .map((hit) => hit.id);
}

/**
 * Drops a chunk when a better-ranked one of the same file already covers it, or it covers that one;
 * stops at `limit` chunks (more than the budget ever takes).
 */
function withoutNestedDuplicates(ranked: readonly RetrievedChunk[], limit: number): RetrievedChunk[] {
  const kept: RetrievedChunk[] = [];
  for (const candidate of ranked) {
    if (kept.length >= limit) break;
    const nested = kept.some(
      (chosen) =>
        chosen.path === candidate.path &&
        ((chosen.startLine <= candidate.startLine && chosen.endLine >= candidate.endLine) ||
          (candidate.startLine <= chosen.startLine && candidate.endLine >= chosen.endLine)),
    );
    if (!nested) kept.push(candidate);
  }
  return kept;
}
