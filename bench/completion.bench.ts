// npm run bench -- completion: target-only vs speculative decoding on the fixture models, side by
// side in one run (interleaved, so machine noise hits both), on two sets of prompts: in-corpus (cut from
// the code corpus the models were built from) and held-out (TypeScript they never saw: sample/ and
// packages' sources in node_modules); plus cache-hit and typing-through latency, and the grounding of the
// in-corpus prompts with input compression vs dropping chunks (what it costs per prompt, how much
// context it keeps).
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine, type CompletionRequest } from "../engine/completion/index.js";
import { LlamaRuntime } from "../engine/runtime/index.js";
import { fixtureCorpora, fixtures, nodeLlamaCppDir } from "../test/support/fixtures.js";
import { heldOutRoots, typeScriptFilesIn } from "../test/support/heldOutCode.js";
import { compareGrounding, groundingRows, type GroundingPrompt } from "./support/groundingComparison.js";
import { percentile, printTable, writeBenchResults } from "./support/results.js";

const promptCount = Number(process.env.COOP_BENCH_PROMPTS ?? 24);
const maxTokens = 64;
/** Tokens of retrieved code in a completion prompt, as the engine asks for. */
const contextBudgetTokens = 512;

const set = await fixtures();
const runtime = await LlamaRuntime.create({ gpu: "cpu" });
const target: LlamaModel = (await runtime.loadModel(set.target)).model;
const draft: LlamaModel = (await runtime.loadModel(set.draft)).model;
const copyTarget: LlamaModel = (await runtime.loadModel(set.copyTarget)).model;
const copyDraft: LlamaModel = (await runtime.loadModel(set.copyDraft)).model;
const { code } = await fixtureCorpora();

/** A completion request at a cursor `cursorAt` (0-1) of the way into a file's text. */
function promptAt(index: number, path: string, text: string, cursorAt: number): GroundingPrompt {
  const cursor = Math.floor(cursorAt * text.length);
  const request: CompletionRequest = {
    document: `bench://${index}`,
    path,
    prefix: text.slice(Math.max(0, cursor - 800), cursor),
    suffix: text.slice(cursor, cursor + 200),
    multiline: true,
    maxTokens,
  };
  return { request, cursorLine: text.slice(0, cursor).split("\n").length - 1 };
}

// Cursors in the corpus's files (node-llama-cpp's dist/, which the grounding indexes as the workspace).
const prompts: GroundingPrompt[] = Array.from({ length: promptCount }, (_, index) => {
  const file = code.files[(index * 11) % code.files.length]!;
  return promptAt(index, file.path, file.text, ((index * 7919) % 1000) / 1000);
});
const requests = prompts.map((prompt) => prompt.request);

const heldOutFiles = typeScriptFilesIn(heldOutRoots).filter((file) => file.text.length > 400);
const heldOutRequests = Array.from({ length: promptCount }, (_, index) => {
  const file = heldOutFiles[(index * 13) % heldOutFiles.length]!;
  return promptAt(promptCount + index, file.path, file.text, 0.2 + (((index * 7919) % 1000) / 1000) * 0.7)
    .request;
});

interface DecodingPair {
  plain: CompletionEngine;
  speculative: CompletionEngine;
}

async function decodingPair(target: LlamaModel, draft: LlamaModel, name: string): Promise<DecodingPair> {
  return {
    plain: await CompletionEngine.create(
      runtime,
      { target },
      { variant: `${name}-plain`, speculative: false },
    ),
    speculative: await CompletionEngine.create(
      runtime,
      { target, draft },
      { variant: `${name}-speculative`, speculative: true },
    ),
  };
}

const bigramPair = await decodingPair(target, draft, "bigram");
const { speculative } = bigramPair;
const copyPair = await decodingPair(copyTarget, copyDraft, "copy");

interface SpeculationRow {
  plainTps: number;
  specTps: number;
  plainTtft: number;
  specTtft: number;
  specTotalMs: number;
  same: boolean;
  drafted: number;
  validated: number;
}

/** Each request completed by the target alone and with speculation, one after the other. */
async function compareDecoding(
  requests: readonly CompletionRequest[],
  { plain, speculative }: DecodingPair = bigramPair,
): Promise<SpeculationRow[]> {
  const rows: SpeculationRow[] = [];
  for (const request of requests) {
    // Warm both the same way: the prompt is evaluated once, then timed generation starts from it.
    const a = await plain.complete({ ...request, document: `${request.document}/plain` });
    const b = await speculative.complete({ ...request, document: `${request.document}/spec` });
    if (!a.stats || !b.stats || a.stats.generatedTokens < 8) continue;
    rows.push({
      plainTps: a.stats.generatedTokens / ((a.stats.totalMs - a.stats.timeToFirstTokenMs) / 1000),
      specTps: b.stats.generatedTokens / ((b.stats.totalMs - b.stats.timeToFirstTokenMs) / 1000),
      plainTtft: a.stats.timeToFirstTokenMs,
      specTtft: b.stats.timeToFirstTokenMs,
      specTotalMs: b.stats.totalMs,
      same: a.raw === b.raw,
      drafted: b.stats.drafted,
      validated: b.stats.validated,
    });
  }
  return rows;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Throughput of both decodings over the rows, their ratio, and whether every output was the same. */
function speculationSummary(rows: readonly SpeculationRow[]) {
  const plainTps = mean(rows.map((row) => row.plainTps));
  const specTps = mean(rows.map((row) => row.specTps));
  const drafted = rows.reduce((sum, row) => sum + row.drafted, 0);
  const validated = rows.reduce((sum, row) => sum + row.validated, 0);
  return {
    prompts: rows.length,
    targetOnlyTokensPerSecond: plainTps,
    speculativeTokensPerSecond: specTps,
    speculativeSpeedup: specTps / plainTps,
    lossless: rows.every((row) => row.same),
    acceptanceRate: drafted > 0 ? validated / drafted : 0,
  };
}

const rows = await compareDecoding(requests);
const heldOutRows = await compareDecoding(heldOutRequests);
const copyRows = await compareDecoding(requests, copyPair);
const copyHeldOutRows = await compareDecoding(heldOutRequests, copyPair);

// Cache hits and typing-through, on the speculative engine's answers.
const cacheMs: number[] = [];
const typingMs: number[] = [];
for (const request of requests) {
  const document = `${request.document}/spec`;
  const started = performance.now();
  const hit = await speculative.complete({ ...request, document });
  cacheMs.push(performance.now() - started);
  if (hit.source !== "cache") throw new Error(`expected a cache hit, got ${hit.source}`);
  if (hit.text.length > 2) {
    const typedStarted = performance.now();
    const rest = await speculative.complete({
      ...request,
      document,
      prefix: request.prefix + hit.text.slice(0, 2),
    });
    typingMs.push(performance.now() - typedStarted);
    if (rest.source !== "typing-through") throw new Error(`expected typing-through, got ${rest.source}`);
  }
}

// Grounding the same prompts in node-llama-cpp's dist/: compression vs dropping chunks.
const grounding = await compareGrounding(
  runtime,
  draft,
  join(nodeLlamaCppDir, "dist"),
  prompts,
  contextBudgetTokens,
);

const completionMs = mean(rows.map((row) => row.specTotalMs));
const inCorpus = speculationSummary(rows);
const heldOut = {
  source: `TypeScript in no corpus: ${heldOutRoots.join(", ")}`,
  ...speculationSummary(heldOutRows),
};
const copyHeads = {
  models: "the copy-head target and draft (variant coop-tiny-copy), same prompts",
  inCorpus: speculationSummary(copyRows),
  heldOut: { source: heldOut.source, ...speculationSummary(copyHeldOutRows) },
};
const cell = (value: number | boolean): number | string =>
  typeof value === "boolean" ? String(value) : Number(value.toFixed(3));
const results = {
  promptSet: "in-corpus: cut from the code corpus the models were built from (node-llama-cpp's dist/)",
  ...inCorpus,
  maxTokens,
  threads: runtime.threads,
  timeToFirstTokenP50Ms: {
    targetOnly: percentile(
      rows.map((row) => row.plainTtft),
      50,
    ),
    speculative: percentile(
      rows.map((row) => row.specTtft),
      50,
    ),
  },
  cacheHitP50Ms: percentile(cacheMs, 50),
  cacheHitP95Ms: percentile(cacheMs, 95),
  typingThroughP50Ms: percentile(typingMs, 50),
  typingThroughP95Ms: percentile(typingMs, 95),
  speculativeCompletionMeanMs: completionMs,
  heldOut,
  copyHeads,
  grounding,
};
printTable(
  (
    [
      ["tokens/s, target only", "targetOnlyTokensPerSecond"],
      ["tokens/s, speculative", "speculativeTokensPerSecond"],
      ["speculative / target-only", "speculativeSpeedup"],
      ["acceptance rate", "acceptanceRate"],
      ["lossless (all outputs equal)", "lossless"],
      ["prompts", "prompts"],
    ] as const
  ).map(([measure, key]) => ({
    measure,
    "in-corpus": cell(inCorpus[key]),
    "held-out": cell(heldOut[key]),
    "copy heads, in-corpus": cell(copyHeads.inCorpus[key]),
    "copy heads, held-out": cell(copyHeads.heldOut[key]),
  })),
);
printTable([
  { measure: "time to first token p50 ms, target only", value: results.timeToFirstTokenP50Ms.targetOnly },
  { measure: "time to first token p50 ms, speculative", value: results.timeToFirstTokenP50Ms.speculative },
  {
    measure: "cache hit p50 / p95 ms",
    value: `${results.cacheHitP50Ms.toFixed(3)} / ${results.cacheHitP95Ms.toFixed(3)}`,
  },
  {
    measure: "typing-through p50 / p95 ms",
    value: `${results.typingThroughP50Ms.toFixed(3)} / ${results.typingThroughP95Ms.toFixed(3)}`,
  },
]);
printTable(groundingRows(grounding, completionMs));
console.log(`wrote ${await writeBenchResults("completion", results)}`);

for (const pair of [bigramPair, copyPair]) {
  await pair.speculative.dispose();
  await pair.plain.dispose();
}
await copyDraft.dispose();
await copyTarget.dispose();
await draft.dispose();
await target.dispose();
await runtime.dispose();
