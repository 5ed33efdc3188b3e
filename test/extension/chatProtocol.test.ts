import assert from "node:assert/strict";
import { test } from "node:test";
import {
  maxMessageChars,
  parseExtensionMessage,
  parseWebviewMessage,
  type ChatEntry,
} from "../../extension/protocol/chatProtocol.js";

test("the extension accepts each well-formed message of the view", () => {
  const messages = [
    { type: "ready" },
    { type: "ask", requestId: "r-1", text: "How is the config read?", attach: "selection" },
    { type: "stop", requestId: "r-1" },
    { type: "openSource", source: { path: "src/config.ts", startLine: 3, endLine: 9 } },
    { type: "insertCode", code: "const a = 1;" },
    { type: "copyCode", code: "x" },
    { type: "applyCode", code: "y", language: "ts" },
    { type: "clearHistory" },
    { type: "action", action: "downloadModels" },
  ];
  for (const message of messages) assert.deepEqual(parseWebviewMessage(message), message);
});

test("malformed messages of the view are rejected, not repaired", () => {
  const malformed: unknown[] = [
    null,
    "ready",
    [],
    { type: "nope" },
    { type: "ask", requestId: "r 1", text: "hi", attach: "none" },
    { type: "ask", requestId: "r1", text: "   ", attach: "none" },
    { type: "ask", requestId: "r1", text: "hi", attach: "everything" },
    { type: "ask", requestId: "r1", text: "x".repeat(maxMessageChars + 1), attach: "none" },
    { type: "stop" },
    { type: "openSource", source: { path: "a.ts", startLine: 5, endLine: 2 } },
    { type: "openSource", source: { path: "", startLine: 0, endLine: 0 } },
    { type: "openSource", source: { path: "a.ts", startLine: -1, endLine: 2 } },
    { type: "insertCode", code: 42 },
    { type: "applyCode", code: "x", language: 3 },
    { type: "action", action: "rm -rf" },
  ];
  for (const message of malformed)
    assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message).slice(0, 80));
});

test("the view accepts the extension's messages and drops undefined fields", () => {
  const answer: ChatEntry = {
    id: "a1",
    role: "assistant",
    text: "Use `readConfig`.",
    sources: [{ path: "src/config.ts", startLine: 0, endLine: 4 }],
    codeBlocks: [
      {
        index: 0,
        findings: [
          {
            kind: "unknownSymbol",
            name: "readConfg",
            evidence: "no definition",
            suggestions: ["readConfig"],
          },
        ],
      },
    ],
    stopReason: "eos",
    tokensPerSecond: 41.5,
  };
  assert.deepEqual(parseExtensionMessage({ type: "answerEnd", requestId: "r1", answer }), {
    type: "answerEnd",
    requestId: "r1",
    answer,
  });
  assert.deepEqual(
    parseExtensionMessage({
      type: "state",
      state: { variant: "coop-tiny", engine: "downloading", progress: 0.5, detail: undefined, actions: [] },
    }),
    {
      type: "state",
      state: { variant: "coop-tiny", engine: "downloading", progress: 0.5, actions: [] },
    },
  );
  assert.deepEqual(parseExtensionMessage({ type: "chunk", requestId: "r1", text: "" }), {
    type: "chunk",
    requestId: "r1",
    text: "",
  });
});

test("one bad entry makes a history message malformed; a bad state is rejected", () => {
  assert.equal(
    parseExtensionMessage({
      type: "history",
      entries: [
        { id: "a", role: "user", text: "hi" },
        { id: "b", role: "system", text: "x" },
      ],
    }),
    undefined,
  );
  assert.equal(
    parseExtensionMessage({
      type: "state",
      state: { variant: "v", engine: "ready", progress: 2, actions: [] },
    }),
    undefined,
  );
  assert.equal(
    parseExtensionMessage({
      type: "state",
      state: { variant: "v", engine: "ready", actions: ["format disk"] },
    }),
    undefined,
  );
  assert.equal(
    parseExtensionMessage({
      type: "answerEnd",
      requestId: "r1",
      answer: { id: "a", role: "assistant", text: "x", stopReason: "tired" },
    }),
    undefined,
  );
});
