import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatViewState, EngineState } from "../../extension/protocol/chatProtocol.js";
import {
  answerStatus,
  canAsk,
  engineSummary,
  findingText,
  progressText,
  sourceAriaLabel,
  sourceLabel,
  stateScreenText,
} from "../../webview/labels.js";

test("sources show 1-based lines like the editor", () => {
  assert.equal(sourceLabel({ path: "src/config.ts", startLine: 2, endLine: 8 }), "src/config.ts:3-9");
  assert.equal(sourceLabel({ path: "a.py", startLine: 0, endLine: 0 }), "a.py:1");
  assert.equal(
    sourceAriaLabel({ path: "src/config.ts", startLine: 2, endLine: 8 }),
    "Open src/config.ts, lines 3 to 9",
  );
});

test("a finding names the unknown name, the evidence and the nearest existing names", () => {
  assert.deepEqual(
    findingText({
      kind: "unknownSymbol",
      name: "readConfg",
      evidence: "no definition in the workspace",
      suggestions: ["readConfig", "readConf"],
    }),
    {
      title: "Unknown symbol",
      name: "readConfg",
      evidence: "no definition in the workspace",
      suggestions: "Nearest existing names: readConfig, readConf",
    },
  );
  assert.equal(
    findingText({ kind: "unknownMember", name: "push", evidence: "x", suggestions: ["append"] }).suggestions,
    "Nearest existing name: append",
  );
  assert.deepEqual(findingText({ kind: "somethingNew", name: "n", evidence: "e", suggestions: [] }), {
    title: "somethingNew",
    name: "n",
    evidence: "e",
  });
});

test("how an answer ended: stopped, cut, its speed", () => {
  assert.equal(answerStatus({ id: "a", role: "assistant", text: "", stopReason: "aborted" }), "stopped");
  assert.equal(
    answerStatus({ id: "a", role: "assistant", text: "", stopReason: "maxTokens", tokensPerSecond: 12.345 }),
    "cut at the token limit · 12.3 tokens/s",
  );
  assert.equal(answerStatus({ id: "a", role: "assistant", text: "", stopReason: "eos" }), "");
});

test("each engine state but idle and ready has a screen; asking is off where it cannot work", () => {
  const state = (engine: EngineState): ChatViewState => ({ variant: "coop-tiny", engine, actions: [] });
  assert.equal(stateScreenText(state("idle")), undefined);
  assert.equal(stateScreenText(state("ready")), undefined);
  assert.match(stateScreenText(state("notDownloaded"))!.explanation!, /coop-tiny needs its model files/);
  assert.equal(stateScreenText(state("downloading"))!.title, "Downloading the models of coop-tiny");
  assert.equal(stateScreenText(state("loading"))!.title, "Loading coop-tiny…");
  assert.ok(stateScreenText(state("error")));
  assert.deepEqual(
    (["idle", "ready", "loading", "notDownloaded", "downloading", "error"] as const).map((engine) =>
      canAsk(state(engine)),
    ),
    [true, true, true, false, false, false],
  );
  assert.equal(canAsk(undefined), true, "before the first state arrives the input works");
  assert.equal(engineSummary(state("idle")), "coop-tiny · starts when you ask");
  assert.equal(progressText(0.426), "42%");
  assert.equal(progressText(undefined), undefined);
});
