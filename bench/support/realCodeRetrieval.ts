// Retrieval measured on code this project did not write (rxjs's TypeScript sources, which npm ships
// under src/), labelled by the TypeScript compiler: at call sites picked at random (fixed seed) whose
// callee is defined in another file, the callee's name is masked and the completion request is what
// the editor sends when the user is about to type the call (the text before the name, and after the
// call's line). The query goes through the product's grounding with its 512-token budget.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompletionRequest } from "../../engine/completion/index.js";
import { completionQuery, groundCompletion } from "../../engine/cooperators/index.js";
import { editorWindow, keepEnd, keepStart } from "../../engine/host/contract/index.js";
import {
  approximateTokenCount,
  defaultSyntaxAnalyzer,
  fitToBudget,
  Retriever,
  type RetrievedChunk,
} from "../../engine/retriever/index.js";
import { LexicalIndex } from "../../engine/retriever/lexicalIndex.js";
import { relativeImports } from "../../engine/retriever/relativeImports.js";
import { crossFileCallSites, seededShuffle, typeScriptFiles, type CallSite } from "./compilerCallSites.js";
import { percentile } from "./results.js";

/** As the pipeline grounds a completion prompt (engine/pipeline/grounding.ts). */
const budgetTokens = 512;
/** As groundCompletion retrieved before its budget packing: its chunk limit. */
const retrievedChunks = 6;
const seed = 20_260_515;

export interface RealCodeOptions {
  /** The source tree, e.g. node_modules/rxjs/src. */
  root: string;
  /** Call sites sampled (default 300). */
  sampleSize?: number;
}

/** Recall of one way of retrieving, over the sampled call sites. */
interface Tally {
  at1: number;
  at5: number;
  budgeted: number;
}

/**
 * Indexes `root` cold, samples call sites and measures, side by side in one run: the grounding as it
 * was (chunks overlapping only the query's lines left out, the budget filled in rank order) and as it
 * is (the request's whole prefix/suffix left out, the budget packed), and the import-graph baseline
 * (BM25 over the chunks of the files the current file imports, with the same terms and weights).
 */
export async function realCodeRetrieval(options: RealCodeOptions): Promise<Record<string, unknown>> {
  const cacheDir = await mkdtemp(join(tmpdir(), "coop-retriever-realcode-"));
  try {
    const retriever = await Retriever.open({ root: options.root, cacheDir });
    const summary = await retriever.index();
    const baseline = await importGraphBaseline(options.root);
    const labelStarted = performance.now();
    const all = await crossFileCallSites(options.root);
    const labelSeconds = (performance.now() - labelStarted) / 1000;
    const sites = seededShuffle(all, seed).slice(0, options.sampleSize ?? 300);

    const before: Tally = { at1: 0, at5: 0, budgeted: 0 };
    const after: Tally = { at1: 0, at5: 0, budgeted: 0 };
    let baselineAt5 = 0;
    let alreadyInPromptBefore = 0;
    let sentChunksBefore = 0;
    const latencies: number[] = [];
    for (const site of sites) {
      const request = completionRequestAt(site);
      const { query, from } = completionQuery(request, site.line);
      retriever.setOpenFiles([site.path]);
      const nearOnly = from && { path: from.path, startLine: from.startLine, endLine: from.endLine };

      // As it was: the near lines left out, the first chunks that fit in rank order.
      const rankedBefore = await retriever.query(query, { k: 200, from: nearOnly });
      const keptBefore = fitToBudget(rankedBefore, budgetTokens, approximateTokenCount).slice(
        0,
        retrievedChunks,
      );
      tally(before, site, rankedBefore, keptBefore);
      sentChunksBefore += keptBefore.length;
      alreadyInPromptBefore += keptBefore.filter((chunk) => insidePrompt(chunk, from)).length;

      // As it is: the product's grounding.
      const rankedAfter = await retriever.query(query, { k: 5, from });
      const started = performance.now();
      const grounded = await groundCompletion(retriever, request, site.line, { budgetTokens });
      latencies.push(performance.now() - started);
      tally(after, site, rankedAfter, grounded.chunks);

      if (baseline.rank(site.path, query).some((chunk) => defines(chunk, site))) baselineAt5++;
    }
    await retriever.dispose();

    const ratio = (count: number): number => (sites.length > 0 ? count / sites.length : Number.NaN);
    return {
      workspace: "rxjs 7 (node_modules/rxjs/src)",
      files: summary.files,
      chunks: summary.chunks,
      indexSeconds: summary.seconds,
      labelledCallSites: all.length,
      labelSeconds,
      queries: sites.length,
      budgetTokens,
      queryP50Ms: percentile(latencies, 50),
      queryP95Ms: percentile(latencies, 95),
      recallAt1: ratio(after.at1),
      crossFileRecallAt5: ratio(after.at5),
      crossFileRecallAt5Budgeted: ratio(after.budgeted),
      importBaselineRecallAt5: ratio(baselineAt5),
      before: {
        recallAt1: ratio(before.at1),
        crossFileRecallAt5: ratio(before.at5),
        crossFileRecallAt5Budgeted: ratio(before.budgeted),
        sentAlreadyInPromptShare: sentChunksBefore > 0 ? alreadyInPromptBefore / sentChunksBefore : 0,
      },
    };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** What the editor sends when the user is about to type the call: the line after the call is not typed. */
function completionRequestAt(site: CallSite): CompletionRequest {
  return {
    document: `file:///rxjs/src/${site.path}`,
    path: site.path,
    prefix: keepEnd(site.text.slice(0, site.nameOffset), editorWindow.prefixChars),
    suffix: keepStart(site.text.slice(site.afterCallLine), editorWindow.suffixChars),
  };
}

function tally(
  into: Tally,
  site: CallSite,
  ranked: readonly RetrievedChunk[],
  kept: readonly { path: string; text: string }[],
): void {
  if (ranked.slice(0, 1).some((chunk) => defines(chunk, site))) into.at1++;
  if (ranked.slice(0, 5).some((chunk) => defines(chunk, site))) into.at5++;
  if (kept.some((chunk) => holdsDefinitionLine(chunk, site))) into.budgeted++;
}

/** Whether a ranked chunk covers the line of one of the callee's declarations. */
function defines(chunk: { path: string; startLine: number; endLine: number }, site: CallSite): boolean {
  return site.definitions.some(
    (definition) =>
      definition.path === chunk.path &&
      chunk.startLine <= definition.line &&
      chunk.endLine >= definition.line,
  );
}

/**
 * Whether text that reaches the prompt holds a declaration's line (the prompt's chunks carry a path
 * and text, not line numbers; trimmed chunks keep whole lines).
 */
function holdsDefinitionLine(chunk: { path: string; text: string }, site: CallSite): boolean {
  return site.definitions.some(
    (definition) =>
      definition.path === chunk.path &&
      definition.lineText.trim() !== "" &&
      chunk.text.split("\n").includes(definition.lineText),
  );
}

function insidePrompt(
  chunk: { path: string; startLine: number; endLine: number },
  from: ReturnType<typeof completionQuery>["from"],
): boolean {
  const lines = from?.promptLines;
  return (
    !!lines &&
    chunk.path === from.path &&
    chunk.startLine >= lines.startLine &&
    chunk.endLine <= lines.endLine
  );
}

/**
 * BM25 restricted to the chunks of the files a file imports (relative imports, as a reader of the
 * file would follow them): the same chunks, terms and weights as the retriever's lexical index.
 */
async function importGraphBaseline(root: string) {
  const analyzer = defaultSyntaxAnalyzer(60);
  const lexical = LexicalIndex.empty();
  const chunks = new Map<number, { path: string; startLine: number; endLine: number }>();
  const chunksOfFile = new Map<string, number[]>();
  const sources = new Map<string, string>();
  const { readFile } = await import("node:fs/promises");
  let nextId = 0;
  for (const path of await typeScriptFiles(root)) {
    const source = await readFile(join(root, path), "utf8");
    sources.set(path, source);
    const analysis = await analyzer.analyze(path, source);
    const ids: number[] = [];
    for (const chunk of analysis.chunks) {
      const id = nextId++;
      const names = analysis.definitions
        .filter(
          (definition) => definition.startLine >= chunk.startLine && definition.startLine <= chunk.endLine,
        )
        .map((definition) => definition.name);
      if (chunk.name) names.push(chunk.name);
      lexical.add({ id, path, names: [...new Set(names)].join(" "), text: chunk.text });
      chunks.set(id, { path, startLine: chunk.startLine, endLine: chunk.endLine });
      ids.push(id);
    }
    chunksOfFile.set(path, ids);
  }
  return {
    rank(path: string, query: string) {
      const imported = relativeImports(path, sources.get(path) ?? "", (candidate) => sources.has(candidate));
      const ids = imported.flatMap((file) => chunksOfFile.get(file) ?? []);
      return lexical
        .scoreDocuments(query, ids)
        .slice(0, 5)
        .map((hit) => chunks.get(hit.id)!);
    },
  };
}
