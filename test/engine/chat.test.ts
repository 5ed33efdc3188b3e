import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { checkCodeBlocks, extractCodeBlocks } from "../../engine/chat/index.js";
import { workspaceFromFiles } from "../../engine/detector/index.js";
import {
  CooperativeEngine,
  type ChatEvent,
  type EngineChatRequest,
  type VariantSpec,
} from "../../engine/host/index.js";
import { fixtures } from "../support/fixtures.js";

let dir: string;
let root: string;
let variant: VariantSpec;

const workspaceFiles: Record<string, string> = {
  "package.json": JSON.stringify({ name: "shop", version: "1.0.0" }),
  "src/invoice.ts": [
    "export interface InvoiceItem {",
    "  price: number;",
    "  quantity: number;",
    "}",
    "",
    "export function computeInvoiceTotal(items: InvoiceItem[]): number {",
    "  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);",
    "}",
    "",
    "export function formatPrice(value: number): string {",
    "  return value.toFixed(2);",
    "}",
    "",
  ].join("\n"),
  "src/weather.ts": [
    "export function forecastRain(days: number): string {",
    "  return `rain expected within ${days} days`;",
    "}",
    "",
    "export function humidityIndex(celsius: number, dewPoint: number): number {",
    "  return celsius - dewPoint;",
    "}",
    "",
  ].join("\n"),
  "src/users.ts": "export function greetUser(name: string): string {\n  return `hello ${name}`;\n}\n",
};

const question: EngineChatRequest = {
  messages: [
    {
      role: "user",
      content: "How does computeInvoiceTotal add up the price and quantity of each invoice item?",
    },
  ],
  maxTokens: 48,
};

before(async () => {
  const set = await fixtures();
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  dir = await mkdtemp(join(tmpdir(), "coop-chat-"));
  root = join(dir, "shop");
  for (const [path, text] of Object.entries(workspaceFiles)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function texts(events: ChatEvent[]): string {
  return events.map((event) => (event.type === "text" ? event.text : "")).join("");
}

describe("chat in the engine", () => {
  let engine: CooperativeEngine;

  before(async () => {
    engine = new CooperativeEngine();
    await engine.loadVariant(variant);
    await engine.openWorkspace({ root, cacheDir: join(dir, "index-cache") });
  });

  after(async () => {
    await engine.dispose();
  });

  test("streams the sources first, then text events that add up to the answer", async () => {
    const events: ChatEvent[] = [];
    const answer = await engine.chat(question, undefined, (event) => events.push(event));
    assert.equal(events[0]?.type, "sources", "the sources come before any text");
    assert.deepEqual(events[0].sources, answer.sources);
    assert.ok(
      events.slice(1).every((event) => event.type === "text"),
      "one sources event, then text",
    );
    assert.ok(events.length > 2, "the text came in pieces");
    assert.equal(texts(events), answer.text);
    assert.ok(answer.text.length > 0);
    assert.ok(answer.stopReason === "eos" || answer.stopReason === "maxTokens", answer.stopReason);
    if (answer.stopReason === "maxTokens") assert.equal(answer.tokens, 48);
    else assert.ok(answer.tokens <= 48);
    assert.ok(answer.tokensPerSecond !== undefined && answer.tokensPerSecond > 0);
    assert.deepEqual(
      answer.codeBlocks.map((block) => block.code),
      extractCodeBlocks(answer.text).map((block) => block.code),
    );
    const stats = await engine.stats();
    assert.equal(stats.sequencesInUse, 0);
    assert.ok(
      stats.tokensPerSecond !== undefined && stats.acceptanceRate !== undefined,
      "the chat fed the engine's speed and acceptance",
    );
  });

  test("grounds the answer in the workspace files relevant to the question", async () => {
    const answer = await engine.chat(question);
    const paths = answer.sources.map((source) => source.path);
    assert.ok(paths.includes("src/invoice.ts"), `sources: ${paths.join(", ")}`);
    assert.ok(
      !paths.includes("src/weather.ts") && !paths.includes("src/users.ts"),
      `unrelated files stay out: ${paths.join(", ")}`,
    );
    const invoiceLines = workspaceFiles["src/invoice.ts"]!.split("\n");
    const definitionLine = invoiceLines.findIndex((line) => line.includes("function computeInvoiceTotal"));
    for (const source of answer.sources.filter((source) => source.path === "src/invoice.ts")) {
      assert.ok(
        source.startLine >= 0 && source.startLine <= source.endLine && source.endLine < invoiceLines.length,
        JSON.stringify(source),
      );
    }
    assert.ok(
      answer.sources.some(
        (source) =>
          source.path === "src/invoice.ts" &&
          source.startLine <= definitionLine &&
          definitionLine <= source.endLine,
      ),
      "a source holds the definition the question names (0-based lines)",
    );
  });

  test("Stop mid-stream resolves with the partial answer, and no sequence leaks", async () => {
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    const answer = await engine.chat({ ...question, maxTokens: 1000 }, controller.signal, (event) => {
      events.push(event);
      if (events.filter((seen) => seen.type === "text").length === 5) controller.abort();
    });
    assert.equal(answer.stopReason, "aborted");
    assert.ok(answer.text.length > 0, "the text before Stop is kept");
    assert.equal(texts(events), answer.text, "and it is what was streamed");
    assert.ok(answer.tokens < 1000);
    assert.equal((await engine.stats()).sequencesInUse, 0);
    const next = await engine.chat(question);
    assert.notEqual(next.stopReason, "aborted", "the engine answers again after a Stop");
  });

  test("Stop while a completion holds the sequence resolves with an empty answer; a stopped request is answered at once", async () => {
    const completion = new AbortController();
    let generating!: () => void;
    const holdsSequence = new Promise<void>((resolve) => (generating = resolve));
    const busy = engine.complete(
      {
        document: "file:///busy.ts",
        path: "busy.ts",
        prefix: "export function busy() {\n  const ",
        suffix: "\n}\n",
        multiline: true,
        maxTokens: 1500,
      },
      completion.signal,
      () => generating(),
    );
    await holdsSequence;
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    setTimeout(() => controller.abort(), 100);
    const answer = await engine.chat(question, controller.signal, (event) => events.push(event));
    completion.abort();
    await busy.catch(() => undefined);
    assert.equal(answer.stopReason, "aborted");
    assert.equal(answer.text, "");
    assert.deepEqual(
      events.map((event) => event.type),
      ["sources"],
    );
    assert.equal((await engine.stats()).sequencesInUse, 0);

    const stopped = new AbortController();
    stopped.abort();
    const none: ChatEvent[] = [];
    const immediate = await engine.chat(question, stopped.signal, (event) => none.push(event));
    assert.deepEqual(immediate, { text: "", sources: [], codeBlocks: [], stopReason: "aborted", tokens: 0 });
    assert.equal(none.length, 0);
  });

  test("a malformed request is refused with a clear error", async () => {
    await assert.rejects(engine.chat({ messages: [{ role: "assistant", content: "hi" }] }), {
      name: "ChatRequestError",
      message: /last chat message must be the user's question/,
    });
  });
});

test("chat without a loaded variant says so", async () => {
  const engine = new CooperativeEngine();
  try {
    await assert.rejects(engine.chat(question), /No model variant is loaded/);
  } finally {
    await engine.dispose();
  }
});

describe("the detector on an answer's code blocks", () => {
  const answer = [
    "Compute the total with the workspace helper:",
    "```ts",
    'import { computeInvoiceTotal, formatPrice } from "./invoice";',
    "const items = [{ price: 2, quantity: 3 }];",
    "console.log(formatPrice(computeInvoiceTotals(items)));",
    "```",
    "A package that is not installed:",
    "```javascript",
    'import leftPad from "left-pad-pro";',
    'console.log(leftPad("7", 3));',
    "```",
    "Prose in a fence:",
    "```text",
    "computeInvoiceTotals is not real",
    "```",
    "And the answer was cut here:",
    "```typescript",
    "const weather = forecastRian(3);",
  ].join("\n");

  test("reports, per block, the certain findings: a symbol the workspace does not define (with the nearest name), a missing package", async () => {
    const workspace = await workspaceFromFiles(
      Object.entries(workspaceFiles).map(([path, text]) => ({ path, text })),
      { root },
    );
    const blocks = await checkCodeBlocks(extractCodeBlocks(answer), { workspace, path: "src/report.ts" });
    assert.equal(blocks.length, 4);
    assert.deepEqual(
      blocks.map((block) => block.language),
      ["ts", "javascript", "text", "typescript"],
    );

    const [helper, leftPad, prose, cut] = blocks;
    assert.deepEqual(
      helper!.findings.map((finding) => [finding.kind, finding.name]),
      [["unknownSymbol", "computeInvoiceTotals"]],
    );
    assert.equal(helper!.findings[0]!.suggestions[0], "computeInvoiceTotal");
    assert.match(helper!.findings[0]!.evidence, /no workspace file defines it/);
    assert.deepEqual(
      leftPad!.findings.map((finding) => [finding.kind, finding.name]),
      [["unknownPackage", "left-pad-pro"]],
    );
    assert.deepEqual(prose!.findings, [], "a language the syntax layer does not know is not checked");
    assert.deepEqual(
      cut!.findings.map((finding) => [finding.kind, finding.name, finding.suggestions[0]]),
      [["unknownSymbol", "forecastRian", "forecastRain"]],
    );

    const unchecked = await checkCodeBlocks(extractCodeBlocks(answer), undefined);
    assert.ok(
      unchecked.every((block) => block.findings.length === 0),
      "no check (policy off or no workspace): no findings",
    );
  });
});
