import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CompletionRequest } from "../../engine/completion/index.js";
import { completionQuery, groundCompletion } from "../../engine/cooperators/index.js";
import { fitToBudget, packToBudget, Retriever } from "../../engine/retriever/index.js";

const countTokens = (text: string): number => Math.ceil(text.length / 4);

/** A chunk of `lines` lines of `width` characters each (a line is about width / 4 tokens). */
function chunk(name: string, startLine: number, lines: number, width = 39) {
  const text = Array.from({ length: lines }, (_, line) => `${name}${line}`.padEnd(width, ".")).join("\n");
  return { name, text, startLine, endLine: startLine + lines - 1 };
}

const total = (chunks: readonly { text: string }[]): number =>
  chunks.reduce((sum, item) => sum + countTokens(item.text), 0);

describe("budget packing", () => {
  test("a long chunk is trimmed rather than evicting the short one ranked after it", () => {
    // 3 short chunks of 2 lines (20 tokens each) around a long one of 40 lines (400 tokens).
    const ranked = [chunk("a", 0, 2), chunk("b", 10, 2), chunk("long", 100, 40), chunk("right", 200, 2)];
    const budget = 200;
    // Filled in rank order, the long chunk cannot fit and is skipped whole, or (with a larger budget)
    // takes the room of the last one.
    assert.deepEqual(
      fitToBudget(ranked, 450, countTokens).map((item) => item.name),
      ["a", "b", "long"],
    );
    const packed = packToBudget(ranked, budget, countTokens);
    assert.deepEqual(
      packed.map((item) => item.name),
      ["a", "b", "long", "right"],
    );
    assert.ok(total(packed) <= budget);
    const long = packed[2]!;
    // It keeps its first lines, as many as the room left allows, with lines matching its text.
    assert.equal(long.startLine, 100);
    assert.ok(long.endLine > 100 + 8 - 1 && long.endLine < 139);
    assert.equal(long.text.split("\n").length, long.endLine - long.startLine + 1);
    assert.ok(long.text.startsWith("long0"));
    assert.ok(total(packed) > budget - 10, "the room left is used");
    // Packed in 450 tokens, all four fit once the long one gives up a few lines.
    const roomy = packToBudget(ranked, 450, countTokens);
    assert.deepEqual(
      roomy.map((item) => item.name),
      ["a", "b", "long", "right"],
    );
    assert.ok(total(roomy) <= 450);
  });

  test("chunks are kept whole when they fit, and at most `limit` of them", () => {
    const ranked = [chunk("a", 0, 3), chunk("b", 10, 12), chunk("c", 30, 3), chunk("d", 40, 3)];
    const packed = packToBudget(ranked, 1000, countTokens, { limit: 3 });
    assert.deepEqual(packed, ranked.slice(0, 3));
    assert.deepEqual(
      packToBudget(ranked, Number.POSITIVE_INFINITY, countTokens, { limit: 2 }),
      ranked.slice(0, 2),
    );
  });

  test("a chunk whose head does not fit what is left is skipped and the ranking goes on", () => {
    // Heads of 8 lines are 80 tokens: after `a` (60) only 40 are left, enough for the 3-line `c`.
    const ranked = [chunk("a", 0, 6), chunk("long", 10, 30), chunk("c", 50, 3)];
    const packed = packToBudget(ranked, 100, countTokens);
    assert.deepEqual(
      packed.map((item) => item.name),
      ["a", "c"],
    );
  });

  test("trimming leaves out a leading doc comment before lines of code", () => {
    const doc = ["/**", ...Array.from({ length: 20 }, (_, line) => ` * Explains ${line}.`), " */"];
    const code = Array.from({ length: 30 }, (_, line) => `  statement${line}();`);
    const text = [...doc, "export function documented(value: number): number {", ...code, "}"].join("\n");
    const ranked = [
      { text, startLine: 10, endLine: 10 + doc.length + code.length + 1 },
      chunk("next", 100, 2),
    ];
    const packed = packToBudget(ranked, 120, countTokens);
    assert.equal(packed.length, 2);
    const [trimmed] = packed;
    assert.ok(trimmed!.text.startsWith("export function documented(value: number): number {"));
    assert.equal(trimmed!.startLine, 10 + doc.length);
    assert.equal(trimmed!.text.split("\n").length, trimmed!.endLine - trimmed!.startLine + 1);
    assert.ok(total(packed) <= 120);
  });

  test("`#name` (a private member) is code, not a comment", () => {
    const text = ["#count = 0;", ...Array.from({ length: 30 }, (_, line) => `  step${line}();`)].join("\n");
    const [packed] = packToBudget([{ text, startLine: 0, endLine: 30 }], 40, countTokens);
    assert.ok(packed!.text.startsWith("#count = 0;"));
  });
});

describe("nothing already in the prompt is sent again", () => {
  let root: string;
  let cacheDir: string;
  let retriever: Retriever;

  /** Six functions of 5 lines each (lines 6i to 6i+4), each its own chunk, then the cursor's function. */
  const functions = Array.from(
    { length: 6 },
    (_, index) =>
      `export function invoiceStep${index}(invoice: Invoice): Invoice {\n` +
      `  const subtotal = invoice.lines.reduce((sum, line) => sum + line.price, 0);\n` +
      `  const taxed = subtotal * (1 + invoice.taxRate) + ${index};\n` +
      `  return { ...invoice, total: taxed };\n}\n`,
  ).join("\n");
  const current =
    `${functions}\nexport function finishInvoice(invoice: Invoice): Invoice {\n` +
    `  const subtotal = invoice.lines.reduce((sum, line) => sum + line.price, 0);\n` +
    `  const taxed = subtotal * (1 + invoice.taxRate);\n  return roundInvoiceTotal(\n}\n`;
  const other =
    `export function roundInvoiceTotal(invoice: Invoice): Invoice {\n` +
    `  return { ...invoice, total: Math.round(invoice.total * 100) / 100 };\n}\n`;
  const cursorOffset = current.indexOf("roundInvoiceTotal(");
  const cursorLine = current.slice(0, cursorOffset).split("\n").length - 1;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "coop-packing-ws-"));
    cacheDir = await mkdtemp(join(tmpdir(), "coop-packing-cache-"));
    for (const [path, text] of Object.entries({ "src/invoice.ts": current, "src/rounding.ts": other })) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    retriever = await Retriever.open({ root, cacheDir });
    await retriever.index();
  });

  after(async () => {
    await retriever.dispose();
    await rm(root, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  function requestFrom(prefixStart: number): CompletionRequest {
    return {
      document: "file:///ws/src/invoice.ts",
      path: "src/invoice.ts",
      prefix: current.slice(prefixStart, cursorOffset),
      suffix: current.slice(cursorOffset),
    };
  }

  test("chunks inside the request's prefix and suffix are neither sent nor counted", async () => {
    const request = requestFrom(0);
    const { query, from } = completionQuery(request, cursorLine);
    // Only the query's own lines left out: the file's other functions come back.
    const nearOnly = { path: from!.path, startLine: from!.startLine, endLine: from!.endLine };
    const before = await retriever.query(query, { k: 10, from: nearOnly });
    assert.ok(before.some((chunk) => chunk.path === "src/invoice.ts"));

    const grounded = await groundCompletion(retriever, request, cursorLine, { budgetTokens: 512 });
    assert.ok(grounded.chunks.length > 0);
    assert.ok(grounded.chunks.every((chunk) => chunk.path !== "src/invoice.ts"));
    assert.ok(grounded.chunks.some((chunk) => chunk.text.includes("function roundInvoiceTotal")));
    assert.equal(
      grounded.report.keptTokens,
      grounded.chunks.reduce((sum, chunk) => sum + countTokens(chunk.text), 0),
    );
  });

  test("a chunk crossing the edge of the prefix keeps only its lines outside it", async () => {
    // The prefix starts inside invoiceStep1 (lines 6-10), on its third line.
    const prefixStart = current.split("\n").slice(0, 8).join("\n").length + 1;
    const request = requestFrom(prefixStart);
    const { query, from } = completionQuery(request, cursorLine);
    assert.equal(from!.promptLines!.startLine, 8);
    const ranked = await retriever.query(query, { k: 10, from });
    const inFile = ranked.filter((chunk) => chunk.path === "src/invoice.ts");
    assert.ok(inFile.length > 0);
    for (const chunk of inFile) assert.ok(chunk.endLine < 8, `${chunk.startLine}-${chunk.endLine}`);
    // invoiceStep1 (its chunk starts on the blank line before it) comes back cut before line 8.
    const cut = inFile.find((chunk) => chunk.text.includes("invoiceStep1"));
    assert.ok(cut, "invoiceStep1 comes back cut");
    assert.ok(cut.startLine <= 6);
    assert.equal(cut.endLine, 7);
    assert.equal(cut.text, current.split("\n").slice(cut.startLine, 8).join("\n"));
    assert.ok(cut.why.some((reason) => reason.startsWith("in the prompt already")));
  });
});
