import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { compressContext, draftLineSelfInformation } from "../../engine/compression/index.js";
import { fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let draft: LlamaModel;
let context: LlamaContext;
let sequence: LlamaContextSequence;

const invoice = [
  'import { readFile } from "node:fs/promises";',
  'import { join } from "node:path";',
  "",
  "// Totals of an invoice, in the shop's currency.",
  "export interface LineItem { price: number; quantity: number }",
  "",
  "export function computeInvoiceTotal(items: LineItem[]): number {",
  "  let total = 0;",
  "  for (const item of items) total += item.price * item.quantity;",
  "  return Math.round(total * 100) / 100;",
  "}",
  "",
  "export function formatPrice(value: number): string {",
  "  return value.toFixed(2);",
  "}",
  "",
  "export async function loadRates(dir: string): Promise<Record<string, number>> {",
  '  const text = await readFile(join(dir, "rates.json"), "utf8");',
  "  return JSON.parse(text);",
  "}",
].join("\n");

before(async () => {
  const set = await fixtures();
  const runtime = await testRuntime();
  draft = (await runtime.loadModel(set.draft)).model;
  context = await runtime.createContext(draft, { contextSize: 2048 });
  sequence = context.getSequence();
});

after(async () => {
  await context.dispose();
  await draft.dispose();
  await disposeTestRuntime();
});

describe("input compression", () => {
  test("fits the budget, keeps the definitions of names used at the cursor, drops the least informative lines", async () => {
    const countTokens = (text: string): number => draft.tokenize(text, false).length;
    const selfInformation = draftLineSelfInformation(draft, sequence, 1500);
    const chunks = [{ path: "src/invoice.ts", text: invoice }];
    const fullTokens =
      countTokens("src/invoice.ts\n") +
      invoice.split("\n").reduce((sum, line) => sum + countTokens(`${line}\n`), 0);
    const budgetTokens = Math.floor(fullTokens * 0.6);

    const compressed = await compressContext(chunks, {
      budgetTokens,
      countTokens,
      lineSelfInformation: selfInformation,
      protectedNames: new Set(["computeInvoiceTotal"]),
    });

    assert.ok(
      compressed.tokens <= budgetTokens,
      `${compressed.tokens} tokens for a budget of ${budgetTokens}`,
    );
    assert.ok(compressed.droppedLines > 0);
    const kept = compressed.chunks[0]!.text.split("\n");
    const definition = invoice.split("\n").slice(6, 11);
    for (const line of definition)
      assert.ok(kept.includes(line), `the definition line ${JSON.stringify(line)} was dropped`);

    // Kept lines are the original lines, in their order.
    const original = invoice.split("\n");
    let cursor = 0;
    for (const line of kept) {
      cursor = original.indexOf(line, cursor);
      assert.ok(cursor !== -1, `${JSON.stringify(line)} is not in the original order`);
      cursor++;
    }

    // What was dropped carried less information per token than what was kept (apart from the protected
    // lines). Lines are told apart by their text, so only lines whose text occurs once are compared: a
    // repeated line (`}`) reads as less surprising the second time, and the two are not the same line.
    const scores = await selfInformation(original);
    const perToken = (index: number): number =>
      scores[index]! / Math.max(1, countTokens(`${original[index]}\n`));
    const unique = (line: string): boolean => original.indexOf(line) === original.lastIndexOf(line);
    const droppedIndexes = original.flatMap((line, index) =>
      kept.includes(line) || !unique(line) ? [] : [index],
    );
    const keptFree = original.flatMap((line, index) =>
      kept.includes(line) && !definition.includes(line) && unique(line) ? [index] : [],
    );
    const maxDropped = Math.max(...droppedIndexes.map(perToken));
    const minKept = Math.min(...keptFree.map(perToken));
    assert.ok(
      maxDropped <= minKept + 1e-9,
      `a dropped line (${maxDropped.toFixed(3)} nats/token) was more informative than a kept one (${minKept.toFixed(3)})`,
    );
  });

  test("context within the budget is left as it is", async () => {
    const compressed = await compressContext([{ path: "a.ts", text: "export const one = 1;" }], {
      budgetTokens: 1000,
      countTokens: (text) => draft.tokenize(text, false).length,
      lineSelfInformation: draftLineSelfInformation(draft, sequence, 1500),
      protectedNames: new Set(),
    });
    assert.equal(compressed.droppedLines, 0);
    assert.equal(compressed.chunks[0]!.text, "export const one = 1;");
  });
});
