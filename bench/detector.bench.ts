// npm run bench -- detector [--rounds N]: the detector over the labelled evaluation set of test/eval/
// (generated with its fixed seed, in workspaces written to a temp dir): precision and recall per finding
// kind, and latency per check (after one warm-up pass, as in a long-running editor session), plus the
// latency with a whole ~300-line file around the snippet. Writes bench-results/detector.json.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { generateEvalSet } from "../test/eval/evalSet.js";
import { detectSnippet, evaluateDetector, loadEvalWorkspaces, scoredKinds } from "../test/eval/evaluate.js";
import { evalWorkspaces } from "../test/eval/workspaces.js";
import { percentile, printTable, writeBenchResults } from "./support/results.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);
if (!(rounds >= 1)) throw new Error(`--rounds must be at least 1, not '${values.rounds}'`);

const snippets = generateEvalSet();
const report = await evaluateDetector(snippets, rounds);

/** The same checks with a large prefix: every source file of the snippet's workspace, three times over. */
async function largeContextLatencies(): Promise<number[]> {
  const { workspaces, cleanup } = await loadEvalWorkspaces();
  try {
    const prefixes = new Map(
      evalWorkspaces.map((workspace) => {
        const files = Object.values(workspace.sources).join("\n");
        return [workspace.name, `${workspace.prefix}${files}\n${files}\n${files}\n`];
      }),
    );
    const times: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const snippet of snippets) {
        const started = performance.now();
        await detectSnippet(
          { ...snippet, prefix: prefixes.get(snippet.workspace)! },
          workspaces.get(snippet.workspace)!,
        );
        if (round > 0) times.push(performance.now() - started);
      }
    }
    return times;
  } finally {
    await cleanup();
  }
}

const largeContext = await largeContextLatencies();
const largePrefixLines = Math.round(
  evalWorkspaces.reduce(
    (sum, workspace) =>
      sum + (workspace.prefix + Object.values(workspace.sources).join("\n")).split("\n").length * 3,
    0,
  ) / evalWorkspaces.length,
);

printTable(
  scoredKinds.map((kind) => {
    const score = report.scores[kind];
    return {
      kind,
      planted: score.truePositives + score.falseNegatives,
      found: score.truePositives,
      spurious: score.falsePositives,
      precision: score.precision,
      recall: score.recall,
    };
  }),
);
console.log();
printTable([
  {
    context: "snippet + file prefix (eval set)",
    checks: report.checkMs.length,
    p50Ms: percentile(report.checkMs, 50),
    p95Ms: percentile(report.checkMs, 95),
    maxMs: Math.max(...report.checkMs),
    cpuP95Ms: percentile(report.checkCpuMs, 95),
  },
  {
    context: `snippet + ~${largePrefixLines}-line prefix`,
    checks: largeContext.length,
    p50Ms: percentile(largeContext, 50),
    p95Ms: percentile(largeContext, 95),
    maxMs: Math.max(...largeContext),
    cpuP95Ms: "",
  },
]);
// Wall-clock latency includes waiting for a core on a shared machine: the load average says how busy it was.
console.log(
  `load average at the end: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")}`,
);
if (report.mistakes.length > 0) {
  console.log("\nmistakes:");
  for (const mistake of report.mistakes)
    console.log(
      `  ${mistake.id} ${mistake.type} ${mistake.kind} ${mistake.name}${mistake.evidence === undefined ? "" : ` (${mistake.evidence})`}`,
    );
}

const path = await writeBenchResults("detector", {
  snippets: report.snippets,
  planted: report.planted,
  precision: Object.fromEntries(scoredKinds.map((kind) => [kind, report.scores[kind].precision])),
  recall: Object.fromEntries(scoredKinds.map((kind) => [kind, report.scores[kind].recall])),
  counts: report.scores,
  checkP50Ms: percentile(report.checkMs, 50),
  checkP95Ms: percentile(report.checkMs, 95),
  checkCpuP95Ms: percentile(report.checkCpuMs, 95),
  loadAverage: loadavg(),
  largeContext: {
    prefixLines: largePrefixLines,
    checkP50Ms: percentile(largeContext, 50),
    checkP95Ms: percentile(largeContext, 95),
  },
  rounds,
  mistakes: report.mistakes,
});
console.log(`\nwrote ${path}`);
