import assert from "node:assert/strict";
import { test } from "node:test";
import { maxMessageChars, parseWebviewMessage } from "../../extension/protocol/chatProtocol.js";
import { askMessage, composerKeyAction } from "../../webview/askMessage.js";
import { createFrameScheduler } from "../../webview/frameScheduler.js";
import { newRequestId } from "../../webview/requestId.js";

test("request ids are fresh and within the protocol's id rule, with and without randomUUID", () => {
  const fromUuid = Array.from({ length: 50 }, () => newRequestId());
  const withoutUuid = Array.from({ length: 50 }, () =>
    newRequestId({ getRandomValues: (array) => globalThis.crypto.getRandomValues(array) }),
  );
  for (const id of [...fromUuid, ...withoutUuid])
    assert.deepEqual(
      parseWebviewMessage({ type: "stop", requestId: id }),
      { type: "stop", requestId: id },
      id,
    );
  assert.equal(new Set([...fromUuid, ...withoutUuid]).size, 100);
  assert.match(withoutUuid[0]!, /^[0-9a-f]{32}$/);
});

test("a question becomes an ask message the extension accepts; blank and oversized ones do not", () => {
  assert.deepEqual(askMessage("How?\nWhy?", "selection", "r-1"), {
    message: { type: "ask", requestId: "r-1", text: "How?\nWhy?", attach: "selection" },
  });
  assert.deepEqual(askMessage("  \n ", "none", "r-1"), { empty: true });
  const tooLong = askMessage("x".repeat(maxMessageChars + 1), "none", "r-1");
  assert.ok("error" in tooLong);
  assert.match(tooLong.error, /200,001 characters long; Coop takes at most 200,000/);
  assert.ok("error" in askMessage("hi", "none", "not an id"));
});

test("Enter sends; Shift+Enter and Enter while composing text do not", () => {
  assert.equal(composerKeyAction({ key: "Enter", shiftKey: false, isComposing: false }), "send");
  assert.equal(composerKeyAction({ key: "Enter", shiftKey: true, isComposing: false }), "default");
  assert.equal(composerKeyAction({ key: "Enter", shiftKey: false, isComposing: true }), "default");
  assert.equal(composerKeyAction({ key: "a", shiftKey: false, isComposing: false }), "default");
});

test("many chunks in one frame render once; the next chunk schedules the next frame", () => {
  const frames: (() => void)[] = [];
  let renders = 0;
  const scheduler = createFrameScheduler(
    () => renders++,
    (callback) => frames.push(callback),
  );
  for (let i = 0; i < 100; i++) scheduler.schedule();
  assert.equal(frames.length, 1);
  assert.equal(renders, 0);
  frames.shift()!();
  assert.equal(renders, 1);
  scheduler.schedule();
  scheduler.flush();
  assert.equal(renders, 2, "flush runs what is scheduled now");
  frames.shift()!();
  assert.equal(renders, 2, "the frame after a flush has nothing left to do");
  scheduler.flush();
  assert.equal(renders, 2);
});
