// npm run bench -- engine-host: what running the engine in its own process costs, measured side by
// side in one run: RPC overhead per request and per generated token (host vs in-process), the
// engine's cold start, and how long recovery from a kill -9 takes until the next answer.
import { join } from "node:path";
import type { CompletionRequest } from "../engine/completion/index.js";
import { EngineHostClient, InProcessEngine, type VariantSpec } from "../engine/host/index.js";
import { fixtures } from "../test/support/fixtures.js";
import { repoRoot } from "../test/support/repoRoot.js";
import { percentile, printTable, writeBenchResults } from "./support/results.js";

const set = await fixtures();
const variant: VariantSpec = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu" };
const newHost = (): EngineHostClient =>
  new EngineHostClient({ entry: join(repoRoot, "out", "engineHost.mjs"), restartBackoffMs: [0] });
const requests = (count: number, tag: string): CompletionRequest[] =>
  Array.from({ length: count }, (_, index) => ({
    document: `bench://${tag}/${index}`,
    path: "bench.js",
    prefix: `export function handler${index}(request) {\n  const `,
    suffix: "\n}\n",
    multiline: true,
    maxTokens: 32,
  }));

// Cold start: process start to the first answer, with the variant loaded.
const coldStarted = performance.now();
const host = newHost();
await host.loadVariant(variant);
await host.complete(requests(1, "cold")[0]!);
const coldStartMs = performance.now() - coldStarted;

const local = new InProcessEngine();
await local.loadVariant(variant);

// Interleaved: the same requests through the host and in process. Cached answers isolate the
// per-request RPC cost; generated ones add the per-token cost (no extra messages per token, so it is
// the difference in total time divided by tokens).
const hostMs: number[] = [];
const localMs: number[] = [];
const hostCachedMs: number[] = [];
const localCachedMs: number[] = [];
let tokens = 0;
const perTokenDifferenceUs: number[] = [];
for (const request of requests(20, "timed")) {
  let started = performance.now();
  const viaHost = await host.complete({ ...request, document: `${request.document}/host` });
  hostMs.push(performance.now() - started);
  started = performance.now();
  const inProcess = await local.complete({ ...request, document: `${request.document}/local` });
  localMs.push(performance.now() - started);
  tokens += inProcess.stats?.generatedTokens ?? 0;
  perTokenDifferenceUs.push(((hostMs.at(-1)! - localMs.at(-1)!) * 1000) / Math.max(1, inProcess.stats?.generatedTokens ?? 1));
  if (viaHost.raw !== inProcess.raw) throw new Error("host and in-process answers differ");
  started = performance.now();
  await host.complete({ ...request, document: `${request.document}/host` });
  hostCachedMs.push(performance.now() - started);
  started = performance.now();
  await local.complete({ ...request, document: `${request.document}/local` });
  localCachedMs.push(performance.now() - started);
}
const rpcOverheadPerRequestUs = (percentile(hostCachedMs, 50) - percentile(localCachedMs, 50)) * 1000;
// Tokens are not sent one by one (a completion comes back whole), so this is the request's overhead
// spread over its tokens; the median of per-request differences keeps machine noise out.
const rpcOverheadPerTokenUs = percentile(perTokenDifferenceUs, 50);

// Crash recovery: kill -9, then time until the next request is answered (restart + variant reload).
process.kill(host.pid!, "SIGKILL");
await new Promise((resolve) => setTimeout(resolve, 100));
const recoveryStarted = performance.now();
await host.complete(requests(1, "recovered")[0]!);
const crashRecoveryMs = performance.now() - recoveryStarted;

await host.dispose();
await local.dispose();

const results = { coldStartMs, rpcOverheadPerRequestUs, rpcOverheadPerTokenUs, crashRecoveryMs, requests: hostMs.length, tokens };
printTable([
  { measure: "engine cold start to first answer, ms", value: coldStartMs },
  { measure: "RPC overhead per request (cached answer, p50), µs", value: rpcOverheadPerRequestUs },
  { measure: "RPC overhead per generated token, µs", value: rpcOverheadPerTokenUs },
  { measure: "kill -9 to next answer, ms", value: crashRecoveryMs },
]);
console.log(`wrote ${await writeBenchResults("engine-host", results)}`);
