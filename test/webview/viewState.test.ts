import assert from "node:assert/strict";
import { test } from "node:test";
import { Conversation } from "../../webview/conversation.js";
import { emptyChatView, restoreChatView, type PersistedChatView } from "../../webview/viewState.js";

function saved(): PersistedChatView {
  const conversation = new Conversation();
  conversation.apply({ type: "state", state: { variant: "coop-tiny", engine: "ready", actions: [] } });
  conversation.apply({
    type: "answerStart",
    requestId: "r1",
    question: { id: "q1", role: "user", text: "Why?" },
    answerId: "a1",
  });
  conversation.apply({ type: "chunk", requestId: "r1", text: "Because" });
  return { version: 1, draft: "half a question", attach: "file", conversation: conversation.snapshot() };
}

test("the saved view comes back as it was (through the JSON that setState keeps)", () => {
  const state = saved();
  const restored = restoreChatView(JSON.parse(JSON.stringify(state)));
  assert.deepEqual(restored, state);
  const conversation = new Conversation(restored.conversation);
  assert.deepEqual(
    conversation.items.map((item) => item.entry.text),
    ["Why?", "Because"],
  );
  assert.equal(conversation.items[1]!.streaming?.requestId, "r1");
});

test("nothing saved, another version or not an object: an empty view", () => {
  for (const raw of [undefined, null, "state", [], { version: 2, draft: "x" }, {}])
    assert.deepEqual(restoreChatView(raw), emptyChatView(), JSON.stringify(raw));
});

test("a damaged state keeps what is valid and drops the rest", () => {
  const state = saved() as unknown as Record<string, unknown> & { conversation: Record<string, unknown> };
  state.attach = "everything";
  state.draft = 42;
  state.conversation.entries = [
    { id: "q1", role: "user", text: "Why?" },
    { id: "bad id", role: "user", text: "x" },
    { id: "s", role: "system", text: "x" },
  ];
  state.conversation.streaming = [
    { requestId: "r1", questionId: "q1", answerId: "a1" },
    { requestId: "<script>", questionId: "q1", answerId: "a1" },
  ];
  state.conversation.engine = { variant: "coop-tiny", engine: "exploded", actions: [] };
  const restored = restoreChatView(state);
  assert.equal(restored.attach, "none");
  assert.equal(restored.draft, "");
  assert.deepEqual(restored.conversation.entries, [{ id: "q1", role: "user", text: "Why?" }]);
  assert.deepEqual(restored.conversation.streaming, [
    { requestId: "r1", questionId: "q1", answerId: "a1", resumed: false },
  ]);
  assert.equal(restored.conversation.engine, undefined);
  // The streaming answer's entry was dropped, so the restored conversation does not stream it.
  assert.deepEqual(new Conversation(restored.conversation).activeRequests, []);
});

test("the Wrap toggle's state comes back when pressed, and is absent (off) otherwise", () => {
  const state = { ...saved(), wrapCode: true };
  assert.equal(restoreChatView(JSON.parse(JSON.stringify(state))).wrapCode, true);
  assert.equal(restoreChatView({ ...saved(), wrapCode: "yes" }).wrapCode, undefined);
  assert.equal(restoreChatView(saved()).wrapCode, undefined);
});
