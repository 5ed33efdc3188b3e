import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AdaptiveDebounce } from "../../engine/completion/index.js";

describe("adaptive debounce", () => {
  test("the delay follows the typing rhythm of the document, within bounds", () => {
    let clock = 0;
    const debounce = new AdaptiveDebounce({ minMs: 20, maxMs: 300, window: 5 }, () => clock);
    assert.equal(debounce.delayFor("a"), 20, "no rhythm yet: the minimum");
    void debounce.wait("a");
    for (const gap of [100, 120, 80, 110, 100]) {
      clock += gap;
      void debounce.wait("a");
    }
    assert.equal(debounce.delayFor("a"), 150, "1.5 x the median gap (100 ms)");
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      void debounce.wait("b");
    }
    assert.equal(debounce.delayFor("b"), 300, "slow typing is capped");
    clock += 10_000;
    void debounce.wait("a");
    assert.equal(debounce.delayFor("a"), 150, "a long pause is not part of the rhythm");
    debounce.forget("a");
    debounce.forget("b");
  });

  test("only the last keystroke's wait goes through; cancelled waits report false", async () => {
    const debounce = new AdaptiveDebounce({ minMs: 10, maxMs: 50, window: 4 });
    const first = debounce.wait("doc");
    const second = debounce.wait("doc");
    const controller = new AbortController();
    const other = debounce.wait("other", controller.signal);
    controller.abort();
    assert.equal(await first, false);
    assert.equal(await second, true);
    assert.equal(await other, false);
  });
});
