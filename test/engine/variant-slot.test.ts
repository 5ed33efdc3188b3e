import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CompletionGenerator } from "../../engine/completion/index.js";
import { parseHostMessage } from "../../engine/host/contract/index.js";
import type { LoadedVariant } from "../../engine/pipeline/loadedVariant.js";
import { VariantSlot, type VariantStatus } from "../../engine/pipeline/variantSlot.js";

const noGenerator: CompletionGenerator = {
  complete: () => Promise.reject(new Error("not used")),
  answerWithoutGenerating: () => undefined,
  remember: () => undefined,
};

/** A variant that records its disposal; nothing of a model. */
function fakeVariant(id: string, disposed: string[]): LoadedVariant {
  return {
    id,
    state: { id, onGpu: false, speculative: false, notices: [] },
    where: "this process",
    capabilities: {
      grammar: true,
      likelihood: false,
      draftRouting: false,
      contrastiveChat: false,
      selfInformation: false,
      serverSpeculation: false,
    },
    completion: noGenerator,
    countTokens: (text) => text.length,
    chat: () => Promise.reject(new Error("not used")),
    stats: () => ({ completions: 0 }),
    dispose: () => {
      disposed.push(id);
      return Promise.resolve();
    },
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe("the variant's state machine", () => {
  test("a load goes downloading, loading, ready; a swap first stops and frees the old variant", async () => {
    const phases: string[] = [];
    const disposed: string[] = [];
    const slot = new VariantSlot((status) => phases.push(`${status.phase}:${status.id ?? ""}`));
    assert.deepEqual(slot.variantStatus, { phase: "absent" });
    await slot.replace({
      id: "a",
      resolve: () => Promise.resolve(),
      load: () => Promise.resolve(fakeVariant("a", disposed)),
    });
    await slot.replace({
      id: "b",
      resolve: () => Promise.resolve(),
      load: () => Promise.resolve(fakeVariant("b", disposed)),
    });
    assert.deepEqual(phases, [
      "downloading:a",
      "loading:a",
      "ready:a",
      "switching:b",
      "downloading:b",
      "loading:b",
      "ready:b",
    ]);
    assert.deepEqual(disposed, ["a"]);
    await slot.dispose();
    assert.deepEqual(disposed, ["a", "b"]);
  });

  test("a failed load leaves no variant: requests are refused with a code that names the failure", async () => {
    const slot = new VariantSlot();
    const disposed: string[] = [];
    await slot.replace({
      id: "a",
      resolve: () => Promise.resolve(),
      load: () => Promise.resolve(fakeVariant("a", disposed)),
    });
    await assert.rejects(
      slot.replace({
        id: "b",
        resolve: () => Promise.reject(new Error("no such file")),
        load: () => Promise.reject(new Error("unreached")),
      }),
      /no such file/,
    );
    assert.deepEqual(slot.variantStatus, { phase: "failed", id: "b", error: "no such file" });
    assert.deepEqual(disposed, ["a"], "the old variant was let go before the new one failed");
    await assert.rejects(
      slot.run(undefined, () => Promise.resolve("answered")),
      (error: Error & { code?: string }) =>
        error.code === "no-variant-loaded" && /b failed to load \(no such file\)/.test(error.message),
    );
  });

  test("requests sent during a load wait for it; with acceptDraft they get the draft while the target loads", async () => {
    const slot = new VariantSlot();
    const target = deferred<LoadedVariant>();
    const warmed = deferred<void>();
    const draft = { completion: noGenerator, countTokens: (text: string) => text.length };
    const loading = slot.replace({
      id: "a",
      resolve: () => Promise.resolve(),
      load: (_, warm) => {
        warm(draft);
        warmed.resolve();
        return target.promise;
      },
    });
    const waiting = slot.run(undefined, (_, variant) => Promise.resolve(variant?.id));
    await warmed.promise;
    const routed = await slot.run(
      undefined,
      (_, variant, warming) => Promise.resolve({ variant, warming }),
      true,
    );
    assert.equal(routed.variant, undefined);
    assert.equal(routed.warming, draft, "the draft answers while the target loads");
    target.resolve(fakeVariant("a", []));
    await loading;
    assert.equal(await waiting, "a", "the plain request waited for the target");
  });

  test("a request waiting for a load gives up when its caller cancels", async () => {
    const slot = new VariantSlot();
    const target = deferred<LoadedVariant>();
    const loading = slot.replace({ id: "a", resolve: () => Promise.resolve(), load: () => target.promise });
    const controller = new AbortController();
    const waiting = slot.run(controller.signal, () => Promise.resolve("late"));
    controller.abort(new Error("the user typed on"));
    await assert.rejects(waiting, /the user typed on/);
    target.resolve(fakeVariant("a", []));
    await loading;
  });

  test("a swap stops the requests running on the old variant with cancelled-by-swap before freeing it", async () => {
    const slot = new VariantSlot();
    const disposed: string[] = [];
    await slot.replace({
      id: "a",
      resolve: () => Promise.resolve(),
      load: () => Promise.resolve(fakeVariant("a", disposed)),
    });
    const started = deferred<void>();
    const running = slot.run(undefined, (leased) => {
      started.resolve();
      return new Promise((_, reject) => leased.addEventListener("abort", () => reject(new Error("stopped"))));
    });
    await started.promise;
    const swapped = slot.replace({
      id: "b",
      resolve: () => Promise.resolve(),
      load: () => Promise.resolve(fakeVariant("b", disposed)),
    });
    await assert.rejects(running, (error: Error & { code?: string }) => error.code === "cancelled-by-swap");
    await swapped;
    assert.deepEqual(disposed, ["a"]);
  });

  test("the engine host's variant message carries the status, and a malformed one is refused", () => {
    const status: VariantStatus = { phase: "failed", id: "b", error: "no such file" };
    assert.deepEqual(parseHostMessage({ kind: "variant", status }), { kind: "variant", status });
    assert.equal(parseHostMessage({ kind: "variant", status: { phase: "exploded" } }), undefined);
    assert.equal(parseHostMessage({ kind: "variant", status: { phase: "ready", id: 3 } }), undefined);
  });
});
