import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import {
  CompletionEngine,
  type CompletionRequest,
  type CompletionResult,
} from "../../engine/completion/index.js";
import {
  detect,
  isCertain,
  workspaceFromFiles,
  type DetectorWorkspace,
} from "../../engine/detector/index.js";
import {
  Cascade,
  answerConfidence,
  shownTokenProbabilities,
  type CascadeOptions,
} from "../../engine/ensemble/index.js";
import { fixtureCorpora, fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

let root: string;
let workspace: DetectorWorkspace;
let target: LlamaModel;
let draft: LlamaModel;
let targetEngine: CompletionEngine;
let draftEngine: CompletionEngine;
/** A second draft engine that recomputes what the cascade's draft saw, independently. */
let referenceDraft: CompletionEngine;
let referenceTarget: CompletionEngine;
const teardown = new Teardown();

const files = [
  { path: "package.json", text: JSON.stringify({ name: "shop", version: "1.0.0", private: true }) },
  {
    path: "src/invoice.ts",
    text: "export function computeInvoiceTotal(items: number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}\n",
  },
];

async function corpusRequests(count: number): Promise<CompletionRequest[]> {
  const { code } = await fixtureCorpora();
  return Array.from({ length: count }, (_, index) => {
    const file = code.files[(index * 13) % code.files.length]!;
    const cursor = Math.floor((((index * 7919) % 1000) / 1000) * file.text.length);
    return {
      document: `file:///${file.path}#${index}`,
      path: file.path,
      prefix: file.text.slice(Math.max(0, cursor - 400), cursor),
      suffix: file.text.slice(cursor, cursor + 120),
      multiline: false,
      maxTokens: 24,
    };
  });
}

function checker(language: "javascript" | "typescript"): NonNullable<CascadeOptions["check"]> {
  return (text, request) =>
    detect(text, {
      language,
      workspace,
      prefixContext: request.prefix,
      suffixContext: request.suffix,
      path: request.path,
    });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-cascade-"));
  workspace = await workspaceFromFiles(files, { root });
  const set = await fixtures();
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  teardown.add(() => target.dispose());
  draft = (await runtime.loadModel(set.draft)).model;
  teardown.add(() => draft.dispose());
  targetEngine = await CompletionEngine.create(runtime, { target, draft }, { variant: "cascade-target" });
  teardown.add(() => targetEngine.dispose());
  draftEngine = await CompletionEngine.create(
    runtime,
    { target: draft },
    { variant: "cascade-draft", speculative: false },
  );
  teardown.add(() => draftEngine.dispose());
  referenceDraft = await CompletionEngine.create(
    runtime,
    { target: draft },
    { variant: "reference-draft", speculative: false },
  );
  teardown.add(() => referenceDraft.dispose());
  referenceTarget = await CompletionEngine.create(
    runtime,
    { target },
    { variant: "reference-target", speculative: false },
  );
  teardown.add(() => referenceTarget.dispose());
});

after(async () => {
  await teardown.run();
  await disposeTestRuntime();
  await rm(root, { recursive: true, force: true });
});

describe("the cascade", () => {
  test("escalates to the target exactly when the detector flags the draft's answer or its confidence is low", async () => {
    const requests = await corpusRequests(24);
    const check = checker("javascript");
    // The draft's own view of each request, computed apart from the cascade.
    const expected: { answer: CompletionResult; flagged: boolean; confidence: number }[] = [];
    for (const request of requests) {
      const answer = await referenceDraft.complete({ ...request, tokenConfidence: true, bypassCache: true });
      const findings = answer.text.trim() === "" ? [] : await check(answer.text, request);
      expected.push({
        answer,
        flagged: findings.some(isCertain),
        confidence: answerConfidence(shownTokenProbabilities(answer)),
      });
    }
    // A threshold in the middle of what the draft shows, so both sides of it occur.
    const confidences = expected
      .filter((entry) => entry.answer.text.trim() !== "" && !entry.flagged)
      .map((entry) => entry.confidence)
      .sort((a, b) => a - b);
    assert.ok(confidences.length >= 4, `too few clean draft answers to judge (${confidences.length})`);
    const minConfidence =
      (confidences[Math.floor(confidences.length / 2) - 1]! +
        confidences[Math.floor(confidences.length / 2)]!) /
      2;

    const cascade = new Cascade({ draft: draftEngine, target: targetEngine });
    const reasons = new Map<string, number>();
    for (const [index, request] of requests.entries()) {
      const { answer, flagged, confidence } = expected[index]!;
      const shouldEscalate = answer.text.trim() === "" || flagged || confidence < minConfidence;
      const outcome = await cascade.complete(request, { minConfidence, check });
      assert.equal(
        outcome.decision?.escalate,
        shouldEscalate,
        `request ${index}: flagged ${flagged}, confidence ${confidence.toFixed(3)} vs ${minConfidence.toFixed(3)}`,
      );
      assert.equal(outcome.servedBy, shouldEscalate ? "target" : "draft");
      const served = shouldEscalate ? await referenceTarget.complete(request) : answer;
      assert.equal(outcome.result.text, served.text, `request ${index} served the wrong model's answer`);
      reasons.set(
        outcome.decision.reason ?? "kept",
        (reasons.get(outcome.decision.reason ?? "kept") ?? 0) + 1,
      );
    }
    assert.ok(
      (reasons.get("kept") ?? 0) > 0 && (reasons.get("lowConfidence") ?? 0) > 0,
      `both outcomes must occur: ${JSON.stringify([...reasons])}`,
    );
    const escalated = requests.length - (reasons.get("kept") ?? 0);
    assert.equal(cascade.escalationRate, escalated / requests.length);
  });

  test("a draft answer naming what does not exist escalates on the detector's word, however confident", async () => {
    const cascade = new Cascade({ draft: draftEngine, target: targetEngine });
    const request: CompletionRequest = {
      document: "file:///shop/src/report.ts",
      path: "src/report.ts",
      prefix:
        'import { computeInvoiceTotal } from "./invoice";\n\nexport function report(items: number[]): number {\n  return ',
      suffix: ";\n}\n",
      multiline: false,
      grammar: 'root ::= "computeInvoiceTotals(items)"',
    };
    const outcome = await cascade.complete(request, { minConfidence: 0, check: checker("typescript") });
    assert.equal(outcome.decision?.reason, "detector");
    assert.equal(outcome.servedBy, "target");
    assert.ok(outcome.findings.some((finding) => finding.name === "computeInvoiceTotals"));
    assert.equal(outcome.escalatedDraft?.text, "computeInvoiceTotals(items)", "the replaced draft answer");

    const correct = await cascade.complete(
      { ...request, grammar: 'root ::= "computeInvoiceTotal(items)"' },
      { minConfidence: 0, check: checker("typescript") },
    );
    assert.equal(correct.decision?.escalate, false);
    assert.equal(correct.servedBy, "draft");
    assert.equal(correct.escalatedDraft, undefined);
    assert.equal(correct.result.text, "computeInvoiceTotal(items)");
  });

  test("a kept draft answer is served again from the cascade's cache and typed through", async () => {
    const cascade = new Cascade({ draft: draftEngine, target: targetEngine });
    const [request] = await corpusRequests(1);
    const first = await cascade.complete(request!, { minConfidence: 0 });
    if (first.result.text.length < 2) return assert.fail("the draft's answer is too short to type through");
    assert.equal(first.servedBy, "draft");
    const again = await cascade.complete(request!, { minConfidence: 0 });
    assert.deepEqual(
      [again.servedBy, again.result.source, again.result.text],
      ["draft", "cache", first.result.text],
    );
    const typed = await cascade.complete(
      { ...request!, prefix: request!.prefix + first.result.text.slice(0, 1) },
      { minConfidence: 0 },
    );
    assert.deepEqual(
      [typed.servedBy, typed.result.source, typed.result.text],
      ["draft", "typing-through", first.result.text.slice(1)],
    );
  });
});
