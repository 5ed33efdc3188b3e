import assert from "node:assert/strict";
import { test } from "node:test";
import { chatViewState } from "../../extension/chat/chatViewState.js";

const base = { host: "stopped" as const, variant: "qwen-coder", loading: false };

test("each engine status maps to the chat state with the actions that fix it", () => {
  assert.deepEqual(chatViewState(base), { variant: "qwen-coder", engine: "idle", actions: [] });
  assert.equal(chatViewState({ ...base, host: "running" }).engine, "ready");
  assert.equal(chatViewState({ ...base, loading: true }).engine, "loading");
  const missing = chatViewState({
    ...base,
    error: "'qwen' is not downloaded yet",
    errorCode: "model-not-available",
  });
  assert.deepEqual([missing.engine, missing.actions], ["notDownloaded", ["downloadModels", "swapVariant"]]);
  const failed = chatViewState({ ...base, error: "bad magic", errorCode: "invalid-model-file" });
  assert.deepEqual(
    [failed.engine, failed.detail, failed.actions],
    ["error", "bad magic", ["retry", "swapVariant", "showLog"]],
  );
  assert.equal(chatViewState({ ...base, host: "gave-up" }).engine, "error");
});

test("a download in progress wins over the not-downloaded error it is fixing", () => {
  const state = chatViewState({
    ...base,
    error: "not downloaded",
    errorCode: "model-not-available",
    download: { fraction: 0.25, message: "qwen 1.2/4.8 GB" },
  });
  assert.deepEqual(state, {
    variant: "qwen-coder",
    engine: "downloading",
    detail: "qwen 1.2/4.8 GB",
    progress: 0.25,
    actions: [],
  });
});
