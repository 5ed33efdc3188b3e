import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatEntry, ExtensionToWebview } from "../../extension/protocol/chatProtocol.js";
import { Conversation } from "../../webview/conversation.js";

const question: ChatEntry = {
  id: "q1",
  role: "user",
  text: "How is the config read?",
  attached: "selection of src/a.ts:3-9",
};
const stored: ChatEntry = {
  id: "a1",
  role: "assistant",
  text: "Call `readConfig`:\n\n```ts\nreadConfg();\n```\n",
  sources: [{ path: "src/config.ts", startLine: 0, endLine: 4 }],
  codeBlocks: [
    {
      index: 0,
      findings: [
        {
          kind: "unknownSymbol",
          name: "readConfg",
          evidence: "no definition in the workspace",
          suggestions: ["readConfig"],
        },
      ],
    },
  ],
  stopReason: "eos",
  tokensPerSecond: 40,
};

function texts(conversation: Conversation): string[] {
  return conversation.items.map(
    (item) => `${item.entry.role}:${item.entry.text}${item.streaming ? " (streaming)" : ""}`,
  );
}

function streamQuestion(conversation: Conversation, requestId = "r1", answerId = "a1", q = question): void {
  conversation.asked(requestId);
  conversation.apply({ type: "answerStart", requestId, question: q, answerId });
}

test("a question streams into an answer that the stored one replaces at the end", () => {
  const conversation = new Conversation();
  conversation.apply({ type: "history", entries: [] });
  conversation.asked("r1");
  assert.deepEqual(
    conversation.activeRequests,
    ["r1"],
    "Stop applies before the extension accepted the question",
  );
  assert.deepEqual(texts(conversation), []);

  conversation.apply({ type: "answerStart", requestId: "r1", question, answerId: "a1" });
  assert.deepEqual(texts(conversation), ["user:How is the config read?", "assistant: (streaming)"]);
  assert.deepEqual(conversation.activeRequests, ["r1"]);

  conversation.apply({ type: "sources", requestId: "r1", sources: stored.sources! });
  for (const text of ["Call ", "`readConfig`", ":\n\n```ts\n"])
    conversation.apply({ type: "chunk", requestId: "r1", text });
  assert.deepEqual(texts(conversation)[1], "assistant:Call `readConfig`:\n\n```ts\n (streaming)");
  assert.deepEqual(conversation.items[1]!.entry.sources, stored.sources);

  conversation.apply({ type: "answerEnd", requestId: "r1", answer: stored });
  assert.deepEqual(
    conversation.items.map((item) => item.entry),
    [question, stored],
  );
  assert.equal(conversation.items[1]!.streaming, undefined);
  assert.deepEqual(conversation.activeRequests, []);
});

test("only the entry that changed gets a new revision (the view re-renders just that one)", () => {
  const conversation = new Conversation({
    entries: [{ id: "old", role: "user", text: "earlier" }],
    streaming: [],
  });
  streamQuestion(conversation);
  const before = conversation.items.map((item) => item.revision);
  assert.equal(conversation.apply({ type: "chunk", requestId: "r1", text: "Hi" }), true);
  const after = conversation.items.map((item) => item.revision);
  assert.equal(after[0], before[0]);
  assert.equal(after[1], before[1]);
  assert.ok(after[2]! > before[2]!);
  assert.equal(
    conversation.apply({ type: "chunk", requestId: "r1", text: "" }),
    false,
    "an empty chunk changes nothing",
  );
});

test("messages for requests the view does not know change nothing", () => {
  const conversation = new Conversation();
  streamQuestion(conversation);
  const before = JSON.stringify(conversation.items);
  assert.equal(conversation.apply({ type: "chunk", requestId: "other", text: "x" }), false);
  assert.equal(conversation.apply({ type: "sources", requestId: "other", sources: [] }), false);
  assert.equal(
    conversation.apply({
      type: "answerEnd",
      requestId: "other",
      answer: { id: "zz", role: "assistant", text: "stray" },
    }),
    false,
  );
  assert.equal(JSON.stringify(conversation.items), before);
});

test("Stop: the answer ends as the extension stored it, stopped", () => {
  const conversation = new Conversation();
  streamQuestion(conversation);
  conversation.apply({ type: "chunk", requestId: "r1", text: "Partial" });
  conversation.stopped("r1");
  assert.deepEqual(conversation.activeRequests, ["r1"], "still streaming until the extension ends it");
  conversation.apply({
    type: "answerEnd",
    requestId: "r1",
    answer: { id: "a1", role: "assistant", text: "Partial", stopReason: "aborted" },
  });
  assert.equal(conversation.items[1]!.entry.stopReason, "aborted");
  assert.deepEqual(conversation.activeRequests, []);
});

test("a question that is never accepted stops waiting when the user presses Stop", () => {
  const conversation = new Conversation();
  conversation.asked("r1");
  conversation.stopped("r1");
  assert.deepEqual(conversation.activeRequests, []);
});

test("an answer that failed keeps what came before and its error", () => {
  const conversation = new Conversation();
  streamQuestion(conversation);
  conversation.apply({ type: "chunk", requestId: "r1", text: "Start" });
  conversation.apply({
    type: "answerEnd",
    requestId: "r1",
    answer: { id: "a1", role: "assistant", text: "Start", error: "The engine process exited." },
  });
  assert.deepEqual(conversation.items[1]!.entry, {
    id: "a1",
    role: "assistant",
    text: "Start",
    error: "The engine process exited.",
  });
});

test("asking again while an answer streams: each request's chunks go to its own answer", () => {
  const conversation = new Conversation();
  streamQuestion(conversation, "r1", "a1");
  conversation.apply({ type: "chunk", requestId: "r1", text: "first" });
  streamQuestion(conversation, "r2", "a2", { id: "q2", role: "user", text: "And then?" });
  conversation.apply({ type: "chunk", requestId: "r2", text: "second" });
  conversation.apply({
    type: "answerEnd",
    requestId: "r1",
    answer: { id: "a1", role: "assistant", text: "first", stopReason: "aborted" },
  });
  conversation.apply({ type: "chunk", requestId: "r2", text: " answer" });
  assert.deepEqual(texts(conversation), [
    "user:How is the config read?",
    "assistant:first",
    "user:And then?",
    "assistant:second answer (streaming)",
  ]);
  assert.deepEqual(conversation.activeRequests, ["r2"]);
});

test("Clear: the history message empties the view, and the stopped answer that ends later stays gone", () => {
  const conversation = new Conversation();
  streamQuestion(conversation);
  conversation.apply({ type: "chunk", requestId: "r1", text: "Partial" });
  conversation.apply({ type: "history", entries: [] });
  assert.deepEqual(texts(conversation), []);
  assert.deepEqual(conversation.activeRequests, []);
  assert.equal(
    conversation.apply({
      type: "answerEnd",
      requestId: "r1",
      answer: { id: "a1", role: "assistant", text: "Partial", stopReason: "aborted" },
    }),
    false,
  );
  assert.deepEqual(texts(conversation), []);
  assert.equal(conversation.isEmpty, true);
});

test("history while an answer streams (the view asked for it again): the answer stays after its question", () => {
  const conversation = new Conversation();
  streamQuestion(conversation);
  conversation.apply({ type: "chunk", requestId: "r1", text: "so far" });
  const earlier: ChatEntry = { id: "e1", role: "user", text: "earlier" };
  conversation.apply({ type: "history", entries: [earlier, question] });
  assert.deepEqual(texts(conversation), [
    "user:earlier",
    "user:How is the config read?",
    "assistant:so far (streaming)",
  ]);
  conversation.apply({ type: "chunk", requestId: "r1", text: "!" });
  assert.equal(conversation.items[2]!.entry.text, "so far!");
});

test("a view restored mid-answer shows what it had, skips chunks it cannot join, and takes the stored answer", () => {
  const first = new Conversation();
  streamQuestion(first);
  first.apply({ type: "chunk", requestId: "r1", text: "Call " });
  const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<Conversation["snapshot"]>;

  const restored = new Conversation(snapshot);
  assert.equal(restored.items[1]!.streaming?.resumed, true);
  assert.deepEqual(restored.activeRequests, ["r1"], "Stop still reaches the request");
  restored.apply({ type: "history", entries: [question] });
  // Chunks streamed while the view was gone are lost: appending later ones would leave a hole.
  assert.equal(restored.apply({ type: "chunk", requestId: "r1", text: "fig`:" }), false);
  assert.equal(restored.items[1]!.entry.text, "Call ");
  restored.apply({ type: "answerEnd", requestId: "r1", answer: stored });
  assert.deepEqual(
    restored.items.map((item) => item.entry),
    [question, stored],
  );
});

test("history that already holds the answer ends its streaming", () => {
  const conversation = new Conversation();
  streamQuestion(conversation);
  conversation.apply({ type: "history", entries: [question, stored] });
  assert.deepEqual(conversation.activeRequests, []);
  assert.deepEqual(
    conversation.items.map((item) => item.entry),
    [question, stored],
  );
});

test("the engine state is the last one received and is part of the snapshot", () => {
  const conversation = new Conversation();
  assert.equal(conversation.engineState, undefined);
  const messages: ExtensionToWebview[] = [
    {
      type: "state",
      state: { variant: "coop-tiny", engine: "loading", detail: "Loading coop-tiny…", actions: [] },
    },
    { type: "state", state: { variant: "coop-tiny", engine: "ready", actions: [] } },
  ];
  for (const message of messages) assert.equal(conversation.apply(message), true);
  assert.deepEqual(conversation.engineState, { variant: "coop-tiny", engine: "ready", actions: [] });
  assert.deepEqual(new Conversation(conversation.snapshot()).engineState, conversation.engineState);
});
