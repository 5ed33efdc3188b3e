// npm run bench -- engine-host: what running the engine in its own process costs, measured side by
// side in one run: RPC overhead per request and per generated token (host vs in-process), the
// engine's cold start, and how long recovery from a kill -9 takes until the next answer.
import { join } from "node:path";
import type { CompletionRequest } from "../engine/completion/index.js";
import { EngineHostClient, CooperativeEngine, type VariantSpec } from "../engine/host/index.js";
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

const local = new CooperativeEngine();
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
  perTokenDifferenceUs.push(
    ((hostMs.at(-1)! - localMs.at(-1)!) * 1000) / Math.max(1, inProcess.stats?.generatedTokens ?? 1),
  );
  if (viaHost.raw !== inProcess.raw) throw new Error("host and in-process answers differ");
  started = performance.now();
  await host.complete({ ...request, document: `${request.document}/host` });
  hostCachedMs.push(performance.now() - started);
  started = performance.now();
  await local.complete({ ...request, document: `${request.document}/local` });
  localCachedMs.push(performance.now() - started);
}
const rpcOverheadPerRequestUs = (percentile(hostCachedMs, 50) - percentile(localCachedMs, 50)) * 1000;
// Per streamed token: the same generation through the host with and without a chunk message per token
// (cache bypassed; the prompt warmed once so both reuse it), compared on generation time alone.
const streamingDifferenceUs: number[] = [];
const generationMs = (result: { stats?: { totalMs: number; timeToFirstTokenMs: number } }): number =>
  (result.stats?.totalMs ?? 0) - (result.stats?.timeToFirstTokenMs ?? 0);
for (const request of requests(20, "streamed")) {
  const fresh = { ...request, bypassCache: true };
  await host.complete(fresh);
  let chunks = 0;
  const streamed = await host.complete(fresh, undefined, () => chunks++);
  const whole = await host.complete(fresh);
  if (streamed.raw !== whole.raw) throw new Error("streamed and whole answers differ");
  if (chunks > 0)
    streamingDifferenceUs.push(((generationMs(streamed) - generationMs(whole)) * 1000) / chunks);
}
const rpcOverheadPerTokenUs = percentile(streamingDifferenceUs, 50);
const requestOverheadPerTokenUs = percentile(perTokenDifferenceUs, 50);

// Crash recovery: kill -9, then time until the next request is answered (restart + variant reload).
process.kill(host.pid!, "SIGKILL");
await new Promise((resolve) => setTimeout(resolve, 100));
const recoveryStarted = performance.now();
await host.complete(requests(1, "recovered")[0]!);
const crashRecoveryMs = performance.now() - recoveryStarted;

await host.dispose();
await local.dispose();

const results = {
  coldStartMs,
  rpcOverheadPerRequestUs,
  rpcOverheadPerTokenUs,
  requestOverheadPerTokenUs,
  crashRecoveryMs,
  requests: hostMs.length,
  tokens,
};
printTable([
  { measure: "engine cold start to first answer, ms", value: coldStartMs },
  { measure: "RPC overhead per request (cached answer, p50), µs", value: rpcOverheadPerRequestUs },
  { measure: "RPC overhead per streamed token (chunk message), p50 µs", value: rpcOverheadPerTokenUs },
  { measure: "host vs in-process per generated token (noisy), p50 µs", value: requestOverheadPerTokenUs },
  { measure: "kill -9 to next answer, ms", value: crashRecoveryMs },
]);
console.log(`wrote ${await writeBenchResults("engine-host", results)}`);
