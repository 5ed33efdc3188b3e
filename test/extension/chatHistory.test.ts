import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatHistory, maxHistoryEntries, type HistoryStorage } from "../../extension/chat/chatHistory.js";

class MemoryStorage implements HistoryStorage {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
    return Promise.resolve();
  }
}

test("the history survives a restart, answers replace their streaming entry, clear empties it", async () => {
  const storage = new MemoryStorage();
  const history = new ChatHistory(storage);
  await history.put({ id: "q1", role: "user", text: "What does readConfig return?" });
  await history.put({ id: "a1", role: "assistant", text: "partial" });
  await history.put({ id: "a1", role: "assistant", text: "The parsed JSON.", stopReason: "eos" });
  const reopened = new ChatHistory(storage);
  assert.deepEqual(
    reopened.entries.map((entry) => entry.text),
    ["What does readConfig return?", "The parsed JSON."],
  );
  assert.deepEqual(reopened.conversation(), [
    { role: "user", content: "What does readConfig return?" },
    { role: "assistant", content: "The parsed JSON." },
  ]);
  await reopened.clear();
  assert.deepEqual(new ChatHistory(storage).entries, []);
});

test("damaged stored entries are dropped and the history stays bounded", async () => {
  const storage = new MemoryStorage();
  await storage.update("coop.chat.history", [
    { id: "ok", role: "user", text: "hi" },
    { id: "bad", role: "robot", text: 1 },
    "junk",
  ]);
  const history = new ChatHistory(storage);
  assert.deepEqual(
    history.entries.map((entry) => entry.id),
    ["ok"],
  );
  for (let index = 0; index < maxHistoryEntries + 10; index++)
    await history.put({ id: `e${index}`, role: "user", text: String(index) });
  assert.equal(history.entries.length, maxHistoryEntries);
  assert.equal(history.entries.at(-1)?.id, `e${maxHistoryEntries + 9}`);
});

test("failed or stopped-empty answers are not sent back to the model as turns", async () => {
  const history = new ChatHistory(new MemoryStorage());
  await history.put({ id: "q", role: "user", text: "Explain" });
  await history.put({ id: "a", role: "assistant", text: "", error: "the model could not be loaded" });
  assert.deepEqual(history.conversation(), [{ role: "user", content: "Explain" }]);
});
