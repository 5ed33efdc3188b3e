import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Debounce, defaultDebounceMs } from "../../engine/completion/index.js";

describe("debounce", () => {
  test("the pause is a few tens of ms from the last keystroke, whatever the typing rhythm", () => {
    const pauseMs = new Debounce().pauseMs;
    assert.ok(pauseMs >= 25 && pauseMs <= 50, `${pauseMs} ms`);
    assert.equal(pauseMs, defaultDebounceMs);
    let clock = 0;
    const debounce = new Debounce(50, () => clock);
    assert.equal(debounce.remaining("a"), 0, "no keystroke seen: nothing to wait for");
    // Slow keystrokes (the user waits for each suggestion) do not lengthen the pause.
    for (const gap of [400, 1000, 5000]) {
      clock += gap;
      debounce.changed("a");
      assert.equal(debounce.remaining("a"), 50);
    }
    // The editor asks 50 ms after the keystroke (VS Code's own wait): the pause is over already.
    clock += 30;
    assert.equal(debounce.remaining("a"), 20);
    clock += 20;
    assert.equal(debounce.remaining("a"), 0);
    assert.equal(debounce.remaining("b"), 0, "per document");
    debounce.forget("a");
    assert.equal(debounce.remaining("a"), 0);
  });

  test("only the last keystroke's wait goes through; cancelled waits report false", async () => {
    const debounce = new Debounce(20);
    debounce.changed("doc");
    debounce.changed("other");
    const first = debounce.wait("doc");
    const second = debounce.wait("doc");
    const controller = new AbortController();
    const other = debounce.wait("other", controller.signal);
    controller.abort();
    assert.equal(await first, false);
    assert.equal(await second, true);
    assert.equal(await other, false);
    // A timer may fire a fraction of a ms before performance.now() says the pause is over.
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(debounce.remaining("doc"), 0);
    assert.equal(await debounce.wait("doc"), true, "the pause is over: at once");
  });

  test("an answer without generating skips the pause and replaces the document's waiting request", async () => {
    const debounce = new Debounce(10_000);
    debounce.changed("doc");
    const waiting = debounce.wait("doc");
    const started = performance.now();
    assert.equal(await debounce.wait("doc", undefined, true), true);
    assert.equal(await waiting, false);
    assert.ok(performance.now() - started < 100);
    const controller = new AbortController();
    controller.abort();
    assert.equal(await debounce.wait("doc", controller.signal, true), false);
    debounce.forget("doc");
  });
});
