import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CompletionScheduler } from "../../engine/pipeline/completionScheduler.js";
import { errorCodeOf } from "../../engine/errors/errorCodes.js";
import { LastResort } from "../../engine/host/server/lastResort.js";
import { VariantLifecycle } from "../../engine/pipeline/variantLifecycle.js";

/** Work that runs until `finish` is called, recording that it started. */
function heldWork(started: string[], name: string) {
  let finish!: (value: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  return {
    finish: () => finish(name),
    work: (signal: AbortSignal) => {
      started.push(name);
      return new Promise<string>((resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
        void done.then(resolve);
      });
    },
  };
}

const settle = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value, code: undefined as string | undefined }),
    (error: unknown) => ({ value: undefined, code: errorCodeOf(error) }),
  );

describe("completion scheduling", () => {
  test("a newer request for a document drops the older one before it starts, and stops a running one", async () => {
    const scheduler = new CompletionScheduler({ maxRunning: 1, maxWaiting: 4 });
    const started: string[] = [];
    const running = heldWork(started, "a1");
    const first = settle(scheduler.run("a", undefined, running.work));
    const waiting = settle(scheduler.run("b", undefined, heldWork(started, "b1").work));
    const newer = heldWork(started, "b2");
    const second = settle(scheduler.run("b", undefined, newer.work));
    assert.equal((await waiting).code, "superseded");
    const replacement = heldWork(started, "a2");
    const third = settle(scheduler.run("a", undefined, replacement.work));
    assert.equal((await first).code, "superseded", "the running one is stopped");
    await new Promise((resolve) => setImmediate(resolve));
    newer.finish();
    assert.equal((await second).value, "b2");
    await new Promise((resolve) => setImmediate(resolve));
    replacement.finish();
    assert.equal((await third).value, "a2");
    assert.deepEqual(started, ["a1", "b2", "a2"], "the superseded request never started");
  });

  test("a full queue sheds its oldest waiting request, and a cancelled one leaves at once", async () => {
    const scheduler = new CompletionScheduler({ maxRunning: 1, maxWaiting: 2 });
    const started: string[] = [];
    const running = heldWork(started, "busy");
    const busy = settle(scheduler.run("busy", undefined, running.work));
    const oldest = settle(scheduler.run("d1", undefined, heldWork(started, "d1").work));
    const cancel = new AbortController();
    const cancelled = settle(scheduler.run("d2", cancel.signal, heldWork(started, "d2").work));
    const newest = heldWork(started, "d3");
    const kept = settle(scheduler.run("d3", undefined, newest.work));
    assert.equal((await oldest).code, "shed");
    cancel.abort();
    assert.equal((await cancelled).code, "cancelled");
    assert.equal(scheduler.queued, 1);
    running.finish();
    assert.equal((await busy).value, "busy");
    await new Promise((resolve) => setImmediate(resolve));
    newest.finish();
    assert.equal((await kept).value, "d3");
    assert.deepEqual(started, ["busy", "d3"]);
  });
});

test("a completion that waited longer than the bound is dropped as stale instead of starting", async () => {
  const scheduler = new CompletionScheduler({ maxRunning: 1, maxWaitMs: 30 });
  const started: string[] = [];
  const running = heldWork(started, "slow");
  const slow = settle(scheduler.run("slow", undefined, running.work));
  const stale = settle(scheduler.run("stale", undefined, heldWork(started, "stale").work));
  await new Promise((resolve) => setTimeout(resolve, 60));
  running.finish();
  assert.equal((await slow).value, "slow");
  assert.equal((await stale).code, "shed");
  assert.deepEqual(started, ["slow"]);
});

describe("variant lifecycle", () => {
  test("draining stops the requests under way, waits for them to end, and they end as cancelled-by-swap", async () => {
    const lifecycle = new VariantLifecycle();
    let ended = false;
    const request = settle(
      lifecycle.run(undefined, async (signal) => {
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        // The stopping surfaces underneath as whatever the library throws.
        await new Promise((resolve) => setTimeout(resolve, 30));
        ended = true;
        throw new Error("Object is disposed");
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await lifecycle.drain();
    assert.equal(ended, true, "drain resolved only after the request ended");
    assert.equal((await request).code, "cancelled-by-swap");
    assert.equal(lifecycle.size, 0);
  });
});

describe("the engine process's last resort", () => {
  test("logs an unexpected error with the requests under way and keeps serving, until errors keep coming", () => {
    const logged: string[] = [];
    const exits: number[] = [];
    const lastResort = new LastResort({
      log: (message) => logged.push(message),
      requestsInFlight: () => ["complete #7"],
      exit: (code) => exits.push(code),
      maxErrors: 2,
    });
    lastResort.handle("unhandled rejection", new Error("Object is disposed"));
    assert.match(logged[0]!, /unhandled rejection \(Error: Object is disposed\) while serving complete #7/);
    lastResort.handle("unhandled rejection", new Error("again"));
    assert.deepEqual(exits, [], "the process keeps serving");
    lastResort.handle("uncaught exception", new Error("and again"));
    assert.deepEqual(exits, [1], "an error that keeps coming back ends the process for a restart");
  });
});
