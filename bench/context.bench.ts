// npm run bench -- context: does the embedded model read its prompt? On TypeScript in no corpus of the
// models (the sample workspace, rxjs's and zod's sources from node_modules), greedy completion after the
// first token of an identifier:
// - identifiers that occur earlier in the prompt (the TypeScript scanner finds them): the bigram models vs
//   the copy-head models (variant coop-tiny-copy);
// - callees the TypeScript compiler resolves to a definition in another file of the workspace, named
//   nowhere in the prompt: the copy-head models without retrieval vs with the retriever's chunks, grounded
//   as the product grounds a completion.
// An answer is right when it finishes the identifier exactly.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine } from "../engine/completion/index.js";
import { groundCompletion } from "../engine/cooperators/index.js";
import { Retriever } from "../engine/retriever/index.js";
import { LlamaRuntime } from "../engine/runtime/index.js";
import { fixtures } from "../test/support/fixtures.js";
import { repoRoot } from "../test/support/repoRoot.js";
import { labelledCallSites, seededShuffle, type CallSite } from "./support/compilerCallSites.js";
import { heldOutRoots, typeScriptFilesIn } from "../test/support/heldOutCode.js";
import {
  exactMatchRate,
  identifierCaseAt,
  repeatedIdentifierCases,
  requestAfterTyping,
  type IdentifierCase,
} from "../test/support/identifierCases.js";
import { printTable, writeBenchResults } from "./support/results.js";

const sampleSize = Number(process.env.COOP_BENCH_CASES ?? 120);
const seed = 20_261_207;
/** As the pipeline grounds a completion prompt (engine/pipeline/grounding.ts). */
const budgetTokens = 512;

/** Workspaces for the cross-file cases: whole source trees, indexed by the retriever. */
const workspaces = ["sample/src", "node_modules/rxjs/src"];

const set = await fixtures();
const runtime = await LlamaRuntime.create({ gpu: "cpu" });
const load = async (path: string): Promise<LlamaModel> => (await runtime.loadModel(path)).model;
const models = {
  bigram: { target: await load(set.target), draft: await load(set.draft) },
  copy: { target: await load(set.copyTarget), draft: await load(set.copyDraft) },
};
const engines = {
  bigram: await CompletionEngine.create(runtime, models.bigram, { variant: "bigram", speculative: true }),
  copy: await CompletionEngine.create(runtime, models.copy, { variant: "copy", speculative: true }),
};

/** The share of `cases` the engine completes exactly, with progress on the console. */
function exactMatches(
  label: string,
  engine: CompletionEngine,
  cases: readonly IdentifierCase[],
): Promise<number> {
  const started = performance.now();
  return exactMatchRate(engine, cases, (done, right) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`  ${label}: ${right} of ${done} right (${seconds} s)`);
  });
}

// Identifiers repeated within the prompt.
const heldOutFiles = typeScriptFilesIn(heldOutRoots);
const repeated = seededShuffle(repeatedIdentifierCases(models.copy.target, heldOutFiles), seed).slice(
  0,
  sampleSize,
);
const identifierExactMatch = {
  cases: repeated.length,
  source: `identifiers repeated in the prompt, TypeScript in no corpus: ${heldOutRoots.join(", ")}`,
  bigram: await exactMatches("identifier, bigram", engines.bigram, repeated),
  copy: await exactMatches("identifier, copy", engines.copy, repeated),
};

// Callees defined in another file, absent from the prompt.
const crossFileCases: IdentifierCase[] = [];
const groundedCases: IdentifierCase[] = [];
const cacheDir = await mkdtemp(join(tmpdir(), "coop-bench-context-"));
try {
  for (const workspace of workspaces) {
    const root = join(repoRoot, workspace);
    const sites = (await labelledCallSites(root)).crossFile.filter((site) => !namedInPrompt(site));
    const retriever = await Retriever.open({ root, cacheDir: join(cacheDir, workspace.replace(/\W/g, "-")) });
    await retriever.index();
    for (const site of seededShuffle(sites, seed).slice(0, Math.ceil(sampleSize / workspaces.length))) {
      const found = identifierCaseAt(models.copy.target, site, site.nameOffset, site.callee);
      if (found === undefined) continue;
      const request = { ...found.request, chunks: [] };
      retriever.setOpenFiles([site.path]);
      const grounded = await groundCompletion(retriever, request, site.line, { budgetTokens });
      crossFileCases.push({ ...found, request });
      groundedCases.push({ ...found, request: { ...request, chunks: grounded.chunks } });
    }
    await retriever.dispose();
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
const crossFileExactMatch = {
  cases: crossFileCases.length,
  source: `calls to functions defined in another file, named nowhere in the prompt: ${workspaces.join(", ")}`,
  withoutRetrieval: await exactMatches("cross-file, no retrieval", engines.copy, crossFileCases),
  withRetrieval: await exactMatches("cross-file, retrieval", engines.copy, groundedCases),
  bigramWithRetrieval: await exactMatches("cross-file, bigram", engines.bigram, groundedCases),
};

/** Whether the callee's name is in the prompt's text around the call already (no retrieval needed then). */
function namedInPrompt(site: CallSite): boolean {
  const request = requestAfterTyping(site.path, site.text, site.nameOffset, "");
  return request.prefix.includes(site.callee) || request.suffix.includes(site.callee);
}

printTable([
  { measure: "identifier exact match, bigram", value: identifierExactMatch.bigram },
  { measure: "identifier exact match, copy heads", value: identifierExactMatch.copy },
  { measure: "cross-file exact match, without retrieval", value: crossFileExactMatch.withoutRetrieval },
  { measure: "cross-file exact match, with retrieval", value: crossFileExactMatch.withRetrieval },
  { measure: "cross-file, bigram with retrieval", value: crossFileExactMatch.bigramWithRetrieval },
  { measure: "cases (identifier / cross-file)", value: `${repeated.length} / ${crossFileCases.length}` },
]);
console.log(`wrote ${await writeBenchResults("context", { identifierExactMatch, crossFileExactMatch })}`);

for (const engine of Object.values(engines)) await engine.dispose();
for (const pair of Object.values(models)) {
  await pair.draft.dispose();
  await pair.target.dispose();
}
await runtime.dispose();
