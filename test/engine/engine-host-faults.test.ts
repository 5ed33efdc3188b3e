import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { CompletionRequest } from "../../engine/completion/index.js";
import type { EngineChatRequest, VariantSpec } from "../../engine/host/index.js";
import { testEngineHost } from "../support/engineHost.js";
import { fixtures } from "../support/fixtures.js";

let variants: VariantSpec[];

const longCompletion = (document: string): CompletionRequest => ({
  document,
  path: "demo.js",
  prefix: `export async function loadModel(options) {\n  // ${document}\n  const `,
  suffix: "\n}\n",
  multiline: true,
  maxTokens: 400,
  bypassCache: true,
});
const longChat: EngineChatRequest = {
  messages: [{ role: "user", content: "Write a long function that loads a model and explains each step." }],
  maxTokens: 300,
  policy: "off",
};

before(async () => {
  const set = await fixtures();
  const base = { gpu: "cpu" as const, threads: 2, contextSize: 2048, draft: set.draft };
  variants = [
    { ...base, id: "coop-tiny", target: set.target },
    {
      ...base,
      id: "coop-tiny-python",
      target: set.target,
      adapters: [{ path: set.adapters.python!, scale: 1 }],
    },
    { ...base, id: "coop-tiny-ft-python", target: set.fineTunes.python! },
  ];
});

/** Settles at once, so a rejection is handled before the test awaits it. */
function settled(promise: Promise<unknown>): Promise<PromiseSettledResult<unknown>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}

function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

describe("engine host faults", () => {
  test("swapping the variant while completions and a chat generate: the engine survives, in-flight requests end as typed cancellations", async () => {
    const states: string[] = [];
    const host = testEngineHost({ onStateChange: (state) => states.push(state) });
    try {
      await host.loadVariant(variants[0]!);
      const pid = host.pid;
      let cancelledBySwap = 0;
      for (let round = 0; round < 4; round++) {
        let streaming!: () => void;
        const generating = new Promise<void>((resolve) => (streaming = resolve));
        const inFlight = [
          host.complete(longCompletion(`file:///swap-${round}-a.js`), undefined, () => streaming()),
          host.complete(longCompletion(`file:///swap-${round}-b.js`)),
          host.chat(longChat, undefined, (event) => event.type === "text" && streaming()),
        ].map(settled);
        await generating;
        await host.loadVariant(variants[(round + 1) % variants.length]!);
        for (const outcome of await Promise.all(inFlight)) {
          if (outcome.status === "fulfilled") continue;
          // A completion queued behind one that ran past the scheduler's wait bound (a loaded machine) is
          // shed before it starts: a typed cancellation too, but not the swap's.
          const code = codeOf(outcome.reason);
          assert.ok(code === "cancelled-by-swap" || code === "shed", String(outcome.reason));
          if (code === "cancelled-by-swap") cancelledBySwap++;
        }
      }
      assert.equal(host.pid, pid, "the engine process survived every swap");
      assert.ok(!states.includes("crashed"), states.join(", "));
      assert.ok(cancelledBySwap >= 4, `only ${cancelledBySwap} requests were still running at a swap`);
      const answer = await host.complete({ ...longCompletion("file:///after-swaps.js"), maxTokens: 16 });
      assert.equal(answer.source, "generated");
      assert.equal((await host.stats()).sequencesInUse, 0);
    } finally {
      await host.dispose();
    }
  });

  test("an engine stopped with SIGSTOP: pending requests fail with a typed timeout within the bound, a cancelled one is released at once, and a new engine serves", async () => {
    const responseTimeoutMs = 4000;
    const states: string[] = [];
    const host = testEngineHost({ responseTimeoutMs, onStateChange: (state) => states.push(state) });
    let stopped: number | undefined;
    try {
      await host.loadVariant(variants[0]!);
      await host.complete({ ...longCompletion("file:///warm.js"), maxTokens: 8 });
      stopped = host.pid!;
      process.kill(stopped, "SIGSTOP");
      const stalledAt = Date.now();
      const pending = [host.complete(longCompletion("file:///stalled.js")), host.stats()].map(settled);
      const controller = new AbortController();
      const cancelled = settled(host.complete(longCompletion("file:///cancelled.js"), controller.signal));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cancelledAt = Date.now();
      controller.abort();
      const cancellation = await cancelled;
      assert.equal(cancellation.status, "rejected");
      assert.equal(codeOf(cancellation.reason), "cancelled");
      assert.ok(Date.now() - cancelledAt < 500, "a cancelled request is released at once, engine or not");
      for (const outcome of await Promise.all(pending)) {
        assert.equal(outcome.status, "rejected");
        assert.equal(codeOf(outcome.reason), "engine-timeout");
      }
      const waited = Date.now() - stalledAt;
      // The bound, plus at most one heartbeat interval (a quarter of it) and a loaded machine's slack.
      assert.ok(waited < responseTimeoutMs * 1.25 + 1500, `pending requests failed after ${waited} ms`);
      assert.ok(states.includes("unresponsive"), states.join(", "));
      assert.ok(await exitsWithin(stopped, 3000), "the stopped engine was killed");
      const answer = await host.complete({ ...longCompletion("file:///after-restart.js"), maxTokens: 8 });
      assert.equal(answer.source, "generated", "the new engine has the variant loaded again");
      assert.notEqual(host.pid, stopped);
      assert.equal(host.state, "running");
    } finally {
      if (stopped !== undefined && isAlive(stopped)) {
        process.kill(stopped, "SIGCONT");
        process.kill(stopped, "SIGKILL");
      }
      await host.dispose();
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exitsWithin(pid: number, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  while (isAlive(pid)) {
    if (Date.now() - started > timeoutMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
