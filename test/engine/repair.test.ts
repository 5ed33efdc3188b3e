import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine, type CompletionRequest } from "../../engine/completion/index.js";
import { workspaceFromFiles, type DetectorWorkspace } from "../../engine/detector/index.js";
import { completeChecked } from "../../engine/repair/index.js";
import { fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let root: string;
let workspace: DetectorWorkspace;
let target: LlamaModel;
let draft: LlamaModel;
let engine: CompletionEngine;

const files = [
  { path: "package.json", text: JSON.stringify({ name: "shop", version: "1.0.0", private: true }) },
  {
    path: "src/invoice.ts",
    text:
      "export interface LineItem { price: number; quantity: number }\n\n" +
      "export function computeInvoiceTotal(items: LineItem[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n\n" +
      "export function formatPrice(value: number): string {\n  return value.toFixed(2);\n}\n",
  },
];

const request: CompletionRequest = {
  document: "file:///shop/src/report.ts",
  path: "src/report.ts",
  prefix:
    'import { computeInvoiceTotal, formatPrice } from "./invoice";\nimport type { LineItem } from "./invoice";\n\nexport function report(items: LineItem[]): string {\n  return ',
  suffix: ";\n}\n",
  multiline: false,
  // The plant: the fixture model is made to write two names that do not exist, as models do.
  grammar: 'root ::= "formatPrise(computeInvoiceTotals(items))"',
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-repair-"));
  for (const file of files) {
    await mkdir(dirname(join(root, file.path)), { recursive: true });
    await writeFile(join(root, file.path), file.text);
  }
  workspace = await workspaceFromFiles(files, { root });
  const set = await fixtures();
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  draft = (await runtime.loadModel(set.draft)).model;
  engine = await CompletionEngine.create(runtime, { target, draft }, { variant: "repair-test" });
});

after(async () => {
  await engine.dispose();
  await draft.dispose();
  await target.dispose();
  await disposeTestRuntime();
  await rm(root, { recursive: true, force: true });
});

describe("the repair loop", () => {
  test("fixes a planted hallucination end to end: the wrong names become the existing ones", async () => {
    const checked = await completeChecked(engine, request, {
      language: "typescript",
      workspace,
      policy: "repair",
      path: "src/report.ts",
    });
    assert.deepEqual(
      checked.repairedFindings?.map((finding) => `${finding.kind} ${finding.name}`).sort(),
      ["unknownSymbol computeInvoiceTotals", "unknownSymbol formatPrise"],
      "the detector caught both planted names",
    );
    assert.equal(checked.repaired, true);
    assert.equal(checked.result.text, "formatPrice(computeInvoiceTotal(items))");
    assert.match(
      checked.originalText ?? "",
      /computeInvoiceTotals/,
      "the replaced text, offered as an alternative",
    );
    assert.deepEqual(checked.findings, [], "the repaired suggestion passes the detector");
    assert.equal(checked.action, "show");
  });

  test("suppress hides the suggestion, annotate shows it with the findings", async () => {
    const suppressed = await completeChecked(engine, request, {
      language: "typescript",
      workspace,
      policy: "suppress",
      path: "src/report.ts",
    });
    assert.equal(suppressed.action, "hide");
    assert.ok(
      suppressed.findings.some(
        (finding) => finding.name === "formatPrise" && finding.suggestions.includes("formatPrice"),
      ),
    );
    const annotated = await completeChecked(engine, request, {
      language: "typescript",
      workspace,
      policy: "annotate",
      path: "src/report.ts",
    });
    assert.equal(annotated.action, "annotate");
    assert.equal(annotated.result.text, "formatPrise(computeInvoiceTotals(items))");
  });

  test("a suggestion that only uses existing names is shown as it is", async () => {
    const clean = await completeChecked(
      engine,
      { ...request, grammar: 'root ::= "formatPrice(computeInvoiceTotal(items))"' },
      { language: "typescript", workspace, policy: "repair", path: "src/report.ts" },
    );
    assert.equal(clean.action, "show");
    assert.equal(clean.repaired, false);
    assert.deepEqual(clean.findings, []);
  });
});
