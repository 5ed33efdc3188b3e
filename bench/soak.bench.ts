// npm run bench -- soak [--requests N]: the engine host under a long, hostile load, through its own API.
// Five documents are typed into at once (each keystroke a completion request; half cancelled at random,
// some replaced by the next keystroke before they are answered), chats run alongside and are stopped
// midway, and the variant is swapped every 200 requests between the catalog's tiny variants (the base,
// its adapters, its fine-tune, a TIES merge). Written: crashes of the engine process, errors without a
// stable code, the engine's memory growth per variant from the first cycle to the last, and latency.
import { join } from "node:path";
import type { CompletionRequest } from "../engine/completion/index.js";
import { EngineHostClient, type EngineHostState } from "../engine/host/index.js";
import { errorCodeOf, isCancellation } from "../engine/errors/errorCodes.js";
import { coopCacheDir } from "../test/support/cacheDir.js";
import { fixtures } from "../test/support/fixtures.js";
import { repoRoot } from "../test/support/repoRoot.js";
import { percentile, printTable, writeBenchResults } from "./support/results.js";

const requestArg = process.argv.indexOf("--requests");
const totalRequests = requestArg === -1 ? 2000 : Number(process.argv[requestArg + 1]);
const swapEvery = 200;
const documents = 5;
const variants = ["coop-tiny", "coop-tiny-python", "coop-tiny-ft-python", "coop-tiny-ties"];
const threads = 2;

// Deterministic randomness, so two runs put the same load on the engine.
let seed = 20;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await fixtures();
let engineCrashes = 0;
const states: EngineHostState[] = [];
const host = new EngineHostClient({
  entry: join(repoRoot, "out", "engineHost.mjs"),
  onStateChange: (state) => {
    states.push(state);
    if (state === "crashed" || state === "unresponsive") engineCrashes++;
  },
  onLog: (level, message) => {
    if (level === "error") console.error(`engine: ${message}`);
  },
});
const load = (variantId: string) =>
  host.loadCatalogVariant({
    variantId,
    catalogFiles: [join(repoRoot, "models.json")],
    cacheDir: coopCacheDir(),
    gpu: "cpu",
    threads,
  });
// Every variant once first: building and merging their models is not what this measures.
for (const variant of [...variants].reverse()) await load(variant);
let active = 0;

let sent = 0;
let swaps = 0;
let untypedErrors = 0;
const untypedSamples: string[] = [];
const outcomes = new Map<string, number>();
const answeredMs: number[] = [];
let over10s = 0;
const memory = new Map<string, number[]>();
const started = performance.now();

function count(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

function failed(error: unknown): void {
  const code = errorCodeOf(error);
  if (code === undefined) {
    untypedErrors++;
    if (untypedSamples.length < 5) untypedSamples.push(String(error));
  }
  count(isCancellation(error) ? `cancelled (${code})` : `failed (${code ?? "untyped"})`);
}

async function sampleMemory(): Promise<void> {
  const { rssBytes } = await host.memory();
  const variant = variants[active]!;
  memory.set(variant, [...(memory.get(variant) ?? []), rssBytes]);
}

/** Swaps when the requests sent cross the next multiple of swapEvery; one swap at a time. */
let swapping: Promise<void> | undefined;
function maybeSwap(): void {
  if (swapping || sent < (swaps + 1) * swapEvery || sent >= totalRequests) return;
  swaps++;
  swapping = (async () => {
    await sampleMemory();
    active = (active + 1) % variants.length;
    await load(variants[active]!);
  })()
    .catch(failed)
    .finally(() => (swapping = undefined));
}

const lines = [
  "export function checkout(cart, prices) {",
  "  const total = cart.items.reduce((sum, item) => sum + prices[item.id] * item.quantity, 0);",
  "  if (total > cart.limit) throw new Error('over the limit');",
  "  return { total, currency: cart.currency };",
];

/** One document typed into: each keystroke sends a completion; some are cancelled, some superseded. */
async function typist(index: number): Promise<void> {
  const document = `file:///soak/doc${index}.js`;
  const text = lines.join("\n");
  let position = 20 + index * 7;
  const waitingFor = new Set<Promise<void>>();
  while (sent < totalRequests) {
    maybeSwap();
    position = (position + 1 + Math.floor(random() * 3)) % text.length;
    const request: CompletionRequest = {
      document,
      path: `doc${index}.js`,
      prefix: `// document ${index}\n${text.slice(0, position)}`,
      suffix: `${text.slice(position)}\n`,
      multiline: false,
      maxTokens: 16,
    };
    sent++;
    const controller = new AbortController();
    const asked = performance.now();
    const answered = host.complete(request, controller.signal).then((result) => {
      const ms = performance.now() - asked;
      answeredMs.push(ms);
      if (ms > 10_000) over10s++;
      count(`answered (${result.source})`);
    }, failed);
    const roll = random();
    if (roll < 0.5) {
      // Cancelled at random: before it is sent on, while it waits, or while it generates.
      await sleep(random() * 300);
      controller.abort();
      await answered;
    } else if (roll < 0.6) {
      // Typed on before the answer came: the next keystroke's request supersedes this one.
      waitingFor.add(answered);
      void answered.finally(() => waitingFor.delete(answered));
      await sleep(random() * 50);
    } else {
      await answered;
    }
    if (sent % 100 === 0) await sampleMemory();
  }
  await Promise.all(waitingFor);
}

/** A chat every chatEvery completion requests, stopped midway through its answer. */
const chatEvery = 100;
async function chatter(): Promise<void> {
  let chats = 0;
  while (sent < totalRequests) {
    await sleep(250);
    if (sent < (chats + 1) * chatEvery) continue;
    const controller = new AbortController();
    let texts = 0;
    const stopAfter = 2 + Math.floor(random() * 6);
    try {
      const answer = await host.chat(
        {
          messages: [{ role: "user", content: `How does checkout compute the total? (${chats++})` }],
          maxTokens: 200,
          policy: "off",
        },
        controller.signal,
        (event) => {
          if (event.type === "text" && ++texts === stopAfter) controller.abort();
        },
      );
      count(`chat ${answer.stopReason}`);
    } catch (error) {
      failed(error);
    }
  }
}

const pid = host.pid;
await sampleMemory();
await Promise.all([...Array.from({ length: documents }, (_, index) => typist(index)), chatter()]);
await swapping;
await sampleMemory();
const seconds = (performance.now() - started) / 1000;
if (host.pid !== pid) engineCrashes = Math.max(engineCrashes, 1);
const stats = await host.stats();
await host.dispose();

// Per variant, its largest RSS in the last cycle against its first: growth from leaks, not variant size.
const perVariantGrowth = [...memory.entries()]
  .filter(([, samples]) => samples.length >= 2)
  .map(([variant, samples]) => {
    const half = Math.ceil(samples.length / 2);
    const first = Math.max(...samples.slice(0, half));
    const last = Math.max(...samples.slice(half));
    return { variant, ratio: last / first, firstMiB: first / 1048576, lastMiB: last / 1048576 };
  });
const rssGrowthRatio = Math.max(...perVariantGrowth.map((entry) => entry.ratio));
const results = {
  requests: sent,
  engineCrashes,
  untypedErrors,
  rssGrowthRatio,
  answeredP95Ms: percentile(answeredMs, 95),
  over10s,
  answeredP50Ms: percentile(answeredMs, 50),
  answered: answeredMs.length,
  swaps,
  seconds,
  sequencesInUseAtEnd: stats.sequencesInUse,
  outcomes: Object.fromEntries([...outcomes.entries()].sort()),
  rssPerVariant: perVariantGrowth,
  untypedSamples,
};
printTable([
  { measure: "completion requests", value: sent },
  { measure: "variant swaps", value: swaps },
  { measure: "engine crashes (target 0)", value: engineCrashes },
  { measure: "errors without a code (target 0)", value: untypedErrors },
  { measure: "RSS growth, last cycle / first, worst variant (target <= 1.1)", value: rssGrowthRatio },
  { measure: "answered p50, ms", value: results.answeredP50Ms },
  { measure: "answered p95, ms", value: results.answeredP95Ms },
  { measure: "answered over 10 s (target 0)", value: over10s },
  { measure: "sequences in use at the end", value: stats.sequencesInUse },
  { measure: "run time, s", value: seconds },
]);
for (const [outcome, times] of outcomes) console.log(`  ${outcome}: ${times}`);
console.log(`wrote ${await writeBenchResults("soak", results)}`);
