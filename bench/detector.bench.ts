// npm run bench -- detector [--rounds N] [--real-every K]: the detector over the labelled evaluation set
// of test/eval/ (generated with its fixed seed, in workspaces written to a temp dir): precision and recall
// per finding kind, and latency per check (after one warm-up pass, as in a long-running editor session),
// plus the latency with a whole ~300-line file around the snippet. Then the real-code set
// (test/eval/realCode/, every K-th case with --real-every): cases generated from real installed packages,
// Node's and Python's own modules, labelled by the TypeScript compiler and python3, scored for the
// product's full check (what findingsIn returns: the fast pass, then the compiler within its budget), the
// same with no budget, and the fast pass (detect) alone, timed warm. Writes bench-results/detector.json.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { generateEvalSet } from "../test/eval/evalSet.js";
import { detectSnippet, evaluateDetector, loadEvalWorkspaces, scoredKinds } from "../test/eval/evaluate.js";
import { measureRealCode } from "../test/eval/realCode/measure.js";
import type { RealCodeScore } from "../test/eval/realCode/score.js";
import { evalWorkspaces } from "../test/eval/workspaces.js";
import { percentile, printTable, writeBenchResults } from "./support/results.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "5" }, "real-every": { type: "string", default: "1" } },
});
const rounds = Number(values.rounds);
if (!(rounds >= 1)) throw new Error(`--rounds must be at least 1, not '${values.rounds}'`);
// Every k-th case of the real-code set only, for a quicker look while working on the detector.
const realEvery = Number(values["real-every"]);
if (!Number.isInteger(realEvery) || realEvery < 1)
  throw new Error(`--real-every must be a whole number of at least 1, not '${values["real-every"]}'`);

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

const realCode = await measureRealCode({ every: realEvery });

function scoreRows(check: string, score: RealCodeScore): Record<string, string | number>[] {
  const row = (
    scope: string,
    counts: RealCodeScore["byKind"]["unknownMember"],
  ): Record<string, string | number> => ({
    check,
    scope,
    planted: counts.truePositives + counts.falseNegatives,
    found: counts.truePositives,
    spurious: counts.falsePositives,
    precision: counts.precision,
    recall: counts.recall,
  });
  return [
    row("all", score),
    ...Object.entries(score.byKind).map(([kind, counts]) => row(kind, counts)),
    ...Object.entries(score.byLanguage).map(([language, counts]) => row(language, counts)),
  ];
}

/**
 * The biggest classes of mistakes: missed or spurious, by kind and by the family of the case (members
 * of every receiver together, the receiver named in the examples).
 */
function mistakeClasses(
  score: RealCodeScore,
  top = 15,
): { mistake: string; count: number; examples: string }[] {
  const classes = new Map<string, string[]>();
  for (const mistake of score.mistakes) {
    const [group, detail] = mistake.family.split(/:(.*)/);
    const family = group === "everyday" ? mistake.family : group!;
    const key = `${mistake.type} ${mistake.kind} in ${family}`;
    const example =
      group === "everyday" || detail === undefined ? mistake.name : `${mistake.name} (${detail})`;
    classes.set(key, [...(classes.get(key) ?? []), example]);
  }
  return [...classes]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, top)
    .map(([mistake, names]) => ({ mistake, count: names.length, examples: names.slice(0, 3).join(", ") }));
}

function summary(score: RealCodeScore): Record<string, unknown> {
  return {
    precision: score.precision,
    recall: score.recall,
    memberRecall: score.memberRecall,
    correctCasesFlagged: score.correctCasesFlagged,
    byKind: score.byKind,
    byLanguage: score.byLanguage,
  };
}

console.log(
  `\nreal-code set: ${realCode.full.cases} cases (${realCode.full.correctCases} correct), ` +
    `${realCode.dropped.length} of ${realCode.generated} dropped by the oracle; ` +
    `compiler ${realCode.compilerReady ? "ready (awaited warm)" : "not ready or not available"}`,
);
printTable([
  ...scoreRows("full", realCode.full),
  ...scoreRows("fast", realCode.fast),
  ...scoreRows("unbounded", realCode.unbounded),
]);
console.log();
printTable(
  (["full", "fast", "unbounded"] as const).map((check) => ({
    check,
    checks: realCode[check].checkMs.length,
    p50Ms: percentile(realCode[check].checkMs, 50),
    p95Ms: percentile(realCode[check].checkMs, 95),
    maxMs: Math.max(...realCode[check].checkMs),
    cpuP50Ms: percentile(realCode[check].checkCpuMs, 50),
    cpuP95Ms: percentile(realCode[check].checkCpuMs, 95),
  })),
);
console.log("\nTypeScript/JavaScript cases by who judged them in the full check:");
printTable(Object.entries(realCode.judgedBy).map(([judgedBy, cases]) => ({ judgedBy, cases })));
console.log(
  `load average after the real-code checks: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")}`,
);
console.log("\nbiggest classes of mistakes (full check):");
printTable(mistakeClasses(realCode.full));

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
  realCode: {
    ...summary(realCode.full),
    checkP95Ms: percentile(realCode.full.checkMs, 95),
    fastP95Ms: percentile(realCode.fast.checkMs, 95),
    checkP50Ms: percentile(realCode.full.checkMs, 50),
    fastP50Ms: percentile(realCode.fast.checkMs, 50),
    checkCpuP95Ms: percentile(realCode.full.checkCpuMs, 95),
    fastCpuP95Ms: percentile(realCode.fast.checkCpuMs, 95),
    cases: realCode.full.cases,
    correctCases: realCode.full.correctCases,
    generated: realCode.generated,
    droppedByOracle: realCode.dropped.length,
    dropped: realCode.dropped,
    loadAverage: loadavg(),
    every: realEvery,
    compilerReady: realCode.compilerReady,
    judgedBy: realCode.judgedBy,
    fast: summary(realCode.fast),
    // The full check with a compiler budget no check reaches (the compiler always judges).
    unbounded: {
      ...summary(realCode.unbounded),
      checkP50Ms: percentile(realCode.unbounded.checkMs, 50),
      checkP95Ms: percentile(realCode.unbounded.checkMs, 95),
      checkCpuP95Ms: percentile(realCode.unbounded.checkCpuMs, 95),
    },
    mistakeClasses: mistakeClasses(realCode.full, 30),
  },
});
console.log(`\nwrote ${path}`);
