// npm run bench -- cascade: the cascade (draft first, target when the draft's answer is empty or
// unsure) against always asking the target (with the draft speculating, as Coop does), on the same
// single-line requests, interleaved so machine noise hits both. A second cascade with a threshold
// above the fixture draft's confidence (which is nearly constant) always escalates: what a cascade
// costs when it does not pay off.
import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine, type CompletionRequest } from "../engine/completion/index.js";
import { Cascade, defaultCascadeMinConfidence } from "../engine/ensemble/index.js";
import { LlamaRuntime } from "../engine/runtime/index.js";
import { fixtureCorpora, fixtures } from "../test/support/fixtures.js";
import { percentile, printTable, writeBenchResults } from "./support/results.js";

const promptCount = Number(process.env.COOP_BENCH_PROMPTS ?? 40);
const minConfidence = Number(process.env.COOP_BENCH_MIN_CONFIDENCE ?? defaultCascadeMinConfidence);
const strictMinConfidence = 0.9;

const set = await fixtures();
const runtime = await LlamaRuntime.create({ gpu: "cpu" });
const target: LlamaModel = (await runtime.loadModel(set.target)).model;
const draft: LlamaModel = (await runtime.loadModel(set.draft)).model;
const { code } = await fixtureCorpora();

const requests: CompletionRequest[] = Array.from({ length: promptCount }, (_, index) => {
  const file = code.files[(index * 11) % code.files.length]!;
  const cursor = Math.floor((((index * 7919) % 1000) / 1000) * file.text.length);
  return {
    document: `bench://${index}`,
    path: file.path,
    prefix: file.text.slice(Math.max(0, cursor - 800), cursor),
    suffix: file.text.slice(cursor, cursor + 200),
    multiline: false,
    maxTokens: 48,
  };
});

const alwaysTarget = await CompletionEngine.create(runtime, { target, draft }, { variant: "always-target" });
const cascadeTarget = await CompletionEngine.create(
  runtime,
  { target, draft },
  { variant: "cascade-target" },
);
const draftOnly = await CompletionEngine.create(
  runtime,
  { target: draft },
  { variant: "cascade-draft", speculative: false },
);
const cascade = new Cascade({ draft: draftOnly, target: cascadeTarget });
// Engines of its own: a cache shared with the first cascade would answer for it.
const strictTarget = await CompletionEngine.create(runtime, { target, draft }, { variant: "strict-target" });
const strictDraft = await CompletionEngine.create(
  runtime,
  { target: draft },
  { variant: "strict-draft", speculative: false },
);
const strictCascade = new Cascade({ draft: strictDraft, target: strictTarget });

// One warm-up each, so neither side pays for first-use costs in the measurement.
await alwaysTarget.complete({ ...requests[0]!, document: "warm", bypassCache: true });
await cascade.complete({ ...requests[0]!, document: "warm", bypassCache: true }, { minConfidence });
await strictCascade.complete(
  { ...requests[0]!, document: "warm", bypassCache: true },
  { minConfidence: strictMinConfidence },
);

const targetMs: number[] = [];
const cascadeMs: number[] = [];
const escalatedMs: number[] = [];
const strictMs: number[] = [];
let strictEscalated = 0;
const keptMs: number[] = [];
let escalated = 0;
let sameAsTarget = 0;
const reasons: Record<string, number> = {};
const confidences: number[] = [];
for (const request of requests) {
  const targetStarted = performance.now();
  const reference = await alwaysTarget.complete(request);
  targetMs.push(performance.now() - targetStarted);
  const cascadeStarted = performance.now();
  const outcome = await cascade.complete(request, { minConfidence });
  const elapsed = performance.now() - cascadeStarted;
  cascadeMs.push(elapsed);
  if (outcome.servedBy === "target") {
    escalated++;
    escalatedMs.push(elapsed);
  } else keptMs.push(elapsed);
  if (outcome.decision) confidences.push(outcome.decision.confidence);
  const reason = outcome.decision?.reason ?? "kept";
  reasons[reason] = (reasons[reason] ?? 0) + 1;
  if (outcome.result.text === reference.text) sameAsTarget++;
  const strictStarted = performance.now();
  const strict = await strictCascade.complete(request, { minConfidence: strictMinConfidence });
  strictMs.push(performance.now() - strictStarted);
  if (strict.servedBy === "target") strictEscalated++;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const results = {
  prompts: requests.length,
  threads: runtime.threads,
  minConfidence,
  checkedByDetector: false,
  escalationRate: escalated / requests.length,
  escalationReasons: reasons,
  latencyRatio: sum(cascadeMs) / sum(targetMs),
  alwaysTargetMeanMs: sum(targetMs) / targetMs.length,
  cascadeMeanMs: sum(cascadeMs) / cascadeMs.length,
  alwaysTargetP50Ms: percentile(targetMs, 50),
  cascadeP50Ms: percentile(cascadeMs, 50),
  cascadeKeptP50Ms: percentile(keptMs, 50),
  cascadeEscalatedP50Ms: percentile(escalatedMs, 50),
  sameAnswerAsTargetRate: sameAsTarget / requests.length,
  draftConfidenceP10: percentile(confidences, 10),
  draftConfidenceP50: percentile(confidences, 50),
  strict: {
    minConfidence: strictMinConfidence,
    escalationRate: strictEscalated / requests.length,
    latencyRatio: sum(strictMs) / sum(targetMs),
  },
};
printTable([
  { measure: "escalation rate", value: results.escalationRate },
  { measure: "escalation reasons", value: JSON.stringify(reasons) },
  { measure: "latency cascade / always-target (total)", value: results.latencyRatio },
  { measure: "mean ms, always target", value: results.alwaysTargetMeanMs },
  { measure: "mean ms, cascade", value: results.cascadeMeanMs },
  {
    measure: "p50 ms, cascade kept the draft / escalated",
    value: `${results.cascadeKeptP50Ms.toFixed(1)} / ${results.cascadeEscalatedP50Ms.toFixed(1)}`,
  },
  { measure: "answers equal to the target's", value: results.sameAnswerAsTargetRate },
  {
    measure: "draft answer confidence p10 / p50",
    value: `${results.draftConfidenceP10.toFixed(3)} / ${results.draftConfidenceP50.toFixed(3)}`,
  },
  { measure: `threshold ${strictMinConfidence}: escalation rate`, value: results.strict.escalationRate },
  {
    measure: `threshold ${strictMinConfidence}: latency cascade / always-target`,
    value: results.strict.latencyRatio,
  },
]);
console.log(`wrote ${await writeBenchResults("cascade", results)}`);

await strictDraft.dispose();
await strictTarget.dispose();
await draftOnly.dispose();
await cascadeTarget.dispose();
await alwaysTarget.dispose();
await draft.dispose();
await target.dispose();
await runtime.dispose();
