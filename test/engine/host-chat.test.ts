import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CooperativeEngine,
  parseHostMessage,
  parseHostRequest,
  type ChatEvent,
  type EngineChatRequest,
  type VariantSpec,
} from "../../engine/host/index.js";
import { testEngineHost } from "../support/engineHost.js";
import { fixtures } from "../support/fixtures.js";

let dir: string;
let root: string;
let variant: VariantSpec;

const question: EngineChatRequest = {
  messages: [
    { role: "user", content: "What is an invoice item?" },
    { role: "assistant", content: "An item with a price and a quantity." },
    { role: "user", content: "How does computeInvoiceTotal add up the invoice items?" },
  ],
  attachments: [
    {
      kind: "selection",
      path: "src/report.ts",
      startLine: 0,
      endLine: 0,
      language: "typescript",
      text: "const total = computeInvoiceTotal(items);",
    },
  ],
  maxTokens: 40,
};

before(async () => {
  const set = await fixtures();
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  dir = await mkdtemp(join(tmpdir(), "coop-host-chat-"));
  root = join(dir, "shop");
  await mkdir(join(root, "src"), { recursive: true });
  await writeFile(join(root, "package.json"), JSON.stringify({ name: "shop", version: "1.0.0" }));
  await writeFile(
    join(root, "src", "invoice.ts"),
    "export function computeInvoiceTotal(items: { price: number; quantity: number }[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n",
  );
  await writeFile(
    join(root, "src", "weather.ts"),
    "export function forecastRain(days: number): string {\n  return `rain in ${days} days`;\n}\n",
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function texts(events: ChatEvent[]): string {
  return events.map((event) => (event.type === "text" ? event.text : "")).join("");
}

describe("chat through the engine host process", () => {
  test("streams the sources first, then text that adds up to the answer, the same answer as in process", async () => {
    const host = testEngineHost();
    const local = new CooperativeEngine();
    try {
      await host.loadVariant(variant);
      await host.openWorkspace({ root, cacheDir: join(dir, "index-host") });
      const events: ChatEvent[] = [];
      const remote = await host.chat(question, undefined, (event) => events.push(event));
      assert.equal(events[0]?.type, "sources");
      assert.ok(events.slice(1).every((event) => event.type === "text") && events.length > 2);
      assert.deepEqual(events[0].sources, remote.sources);
      assert.ok(
        remote.sources.some((source) => source.path === "src/invoice.ts"),
        JSON.stringify(remote.sources),
      );
      assert.equal(texts(events), remote.text);
      assert.ok(remote.text.length > 0);

      await local.loadVariant(variant);
      await local.openWorkspace({ root, cacheDir: join(dir, "index-local") });
      const inProcess = await local.chat(question);
      assert.equal(remote.text, inProcess.text);
      assert.deepEqual(remote.sources, inProcess.sources);
      assert.equal(remote.stopReason, inProcess.stopReason);
    } finally {
      await local.dispose();
      await host.dispose();
    }
  });

  test("Stop cancels the answer in the engine process, and the partial answer comes back as the result", async () => {
    const host = testEngineHost();
    try {
      await host.loadVariant(variant);
      const controller = new AbortController();
      const events: ChatEvent[] = [];
      const answer = await host.chat({ ...question, maxTokens: 1500 }, controller.signal, (event) => {
        events.push(event);
        if (events.filter((seen) => seen.type === "text").length === 5) controller.abort();
      });
      assert.equal(answer.stopReason, "aborted");
      assert.ok(answer.text.length > 0 && answer.tokens < 1500, `${answer.tokens} tokens before Stop`);
      assert.equal(texts(events), answer.text, "the result is what was streamed");
      assert.equal((await host.stats()).sequencesInUse, 0, "no sequence leaked in the engine");
      const next = await host.chat(question);
      assert.notEqual(next.stopReason, "aborted");
      assert.equal(host.state, "running");
    } finally {
      await host.dispose();
    }
  });

  test("a malformed question is refused by the engine with its reason", async () => {
    const host = testEngineHost();
    try {
      await host.loadVariant(variant);
      await assert.rejects(host.chat({ messages: [] }), {
        name: "ChatRequestError",
        message: /at least one message/,
      });
      await assert.rejects(host.chat({ ...question, maxTokens: -3 }), {
        name: "ChatRequestError",
        message: /maxTokens must be a positive whole number/,
      });
    } finally {
      await host.dispose();
    }
  });
});

describe("the chat messages of the engine host protocol", () => {
  test("chat is a request method, and its events are parsed strictly: anything not exactly a ChatEvent is ignored", () => {
    assert.deepEqual(parseHostRequest({ kind: "request", id: 3, method: "chat", params: question }), {
      kind: "request",
      id: 3,
      method: "chat",
      params: question,
    });
    const sources = [{ path: "src/a.ts", startLine: 0, endLine: 4, score: 0.5 }];
    assert.deepEqual(parseHostMessage({ kind: "event", id: 1, event: { type: "sources", sources } }), {
      kind: "event",
      id: 1,
      event: { type: "sources", sources },
    });
    assert.deepEqual(parseHostMessage({ kind: "event", id: 1, event: { type: "text", text: "hé" } }), {
      kind: "event",
      id: 1,
      event: { type: "text", text: "hé" },
    });
    assert.deepEqual(
      parseHostMessage({
        kind: "event",
        id: 1,
        event: { type: "sources", sources: [{ ...sources[0], extra: "dropped" }] },
      }),
      { kind: "event", id: 1, event: { type: "sources", sources } },
      "only the declared fields pass",
    );
    const malformed = [
      { kind: "event", id: -1, event: { type: "text", text: "x" } },
      { kind: "event", id: 1 },
      { kind: "event", id: 1, event: { type: "text" } },
      { kind: "event", id: 1, event: { type: "text", text: 5 } },
      { kind: "event", id: 1, event: { type: "html", text: "x" } },
      { kind: "event", id: 1, event: { type: "sources" } },
      {
        kind: "event",
        id: 1,
        event: { type: "sources", sources: [{ path: "a", startLine: 2, endLine: 1, score: 1 }] },
      },
      {
        kind: "event",
        id: 1,
        event: { type: "sources", sources: [{ path: "a", startLine: 0.5, endLine: 1, score: 1 }] },
      },
      {
        kind: "event",
        id: 1,
        event: { type: "sources", sources: [{ path: 7, startLine: 0, endLine: 1, score: 1 }] },
      },
      {
        kind: "event",
        id: 1,
        event: { type: "sources", sources: [{ path: "a", startLine: 0, endLine: 1, score: "high" }] },
      },
      { kind: "event", id: 1, event: { type: "sources", sources: ["a"] } },
    ];
    for (const message of malformed)
      assert.equal(parseHostMessage(message), undefined, JSON.stringify(message));
  });
});
