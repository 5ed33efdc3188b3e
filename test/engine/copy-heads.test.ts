import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine, fimTokensOf, type CompletionRequest } from "../../engine/completion/index.js";
import { fixtures } from "../support/fixtures.js";
import { typeScriptFilesIn } from "../support/heldOutCode.js";
import { exactMatchRate, repeatedIdentifierCases, type IdentifierCase } from "../support/identifierCases.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let bigram: LlamaModel;
let copyTarget: LlamaModel;
let copyDraft: LlamaModel;
let cases: IdentifierCase[];

/** An engine of `target` (and `draft`, speculating), for one test. */
async function engineOf(variant: string, target: LlamaModel, draft?: LlamaModel): Promise<CompletionEngine> {
  return CompletionEngine.create(await testRuntime(), draft ? { target, draft } : { target }, {
    variant,
    speculative: draft !== undefined,
  });
}

before(async () => {
  const set = await fixtures();
  const runtime = await testRuntime();
  bigram = (await runtime.loadModel(set.target)).model;
  copyTarget = (await runtime.loadModel(set.copyTarget)).model;
  copyDraft = (await runtime.loadModel(set.copyDraft)).model;
  // TypeScript in no corpus of the models: the sample workspace and some of rxjs's operators. Every
  // seventh case, so the files all take part and the test stays short.
  const files = typeScriptFilesIn(["sample/src", "node_modules/rxjs/src/internal/operators"]);
  cases = repeatedIdentifierCases(copyTarget, files)
    .filter((_, index) => index % 7 === 0)
    .slice(0, 40);
});

after(async () => {
  await copyDraft.dispose();
  await copyTarget.dispose();
  await bigram.dispose();
  await disposeTestRuntime();
});

describe("copy heads", () => {
  test("the copy-head models are prompted suffix-first, the bigram prefix-suffix-middle", () => {
    assert.equal(fimTokensOf(copyTarget)?.layout, "spm");
    assert.equal(fimTokensOf(copyDraft)?.layout, "spm");
    assert.equal(fimTokensOf(bigram)?.layout, "psm");
  });

  test("identifiers typed again are completed from the prompt; the bigram cannot see them", async () => {
    const copy = await engineOf("copy", copyTarget);
    const plain = await engineOf("bigram", bigram);
    try {
      assert.ok(cases.length >= 30, `only ${cases.length} cases`);
      const copyRate = await exactMatchRate(copy, cases);
      const bigramRate = await exactMatchRate(plain, cases);
      assert.ok(copyRate >= 0.3, `copy heads completed ${copyRate} of the identifiers`);
      assert.ok(copyRate >= 3 * bigramRate + 0.1, `copy ${copyRate} vs bigram ${bigramRate}`);
    } finally {
      await copy.dispose();
      await plain.dispose();
    }
  });

  test("a name defined only in a retrieved chunk is completed with the chunk, not without it", async () => {
    const copy = await engineOf("copy", copyTarget);
    const request: CompletionRequest = {
      document: "file:///workspace/src/checkout.ts",
      path: "src/checkout.ts",
      prefix: 'import { cart } from "./cart";\n\nexport function checkout() {\n  const total = applyV',
      suffix: "\n}\n",
      multiline: false,
      maxTokens: 16,
    };
    const chunk = {
      path: "src/pricing.ts",
      text: "export function applyVoucher(total: number, code: string): number {\n  return total;\n}\n",
    };
    try {
      // The prefix ends where the tokenizer splits the whole name (`applyV|oucher`), as when the user
      // has typed its first tokens.
      const without = await copy.complete({ ...request, chunks: [], bypassCache: true });
      const withChunk = await copy.complete({ ...request, chunks: [chunk], bypassCache: true });
      assert.ok(!without.text.startsWith("oucher"), without.text);
      assert.ok(withChunk.text.startsWith("oucher(total: number"), withChunk.text);
    } finally {
      await copy.dispose();
    }
  });

  test("speculation with the copy-head draft is lossless on held-out code", async () => {
    const plain = await engineOf("plain", copyTarget);
    const speculative = await engineOf("speculative", copyTarget, copyDraft);
    try {
      let drafted = 0;
      let validated = 0;
      for (const { request } of cases.slice(0, 12)) {
        const multiline = { ...request, multiline: true, maxTokens: 32 };
        const expected = await plain.complete(multiline);
        const actual = await speculative.complete(multiline);
        assert.equal(actual.raw, expected.raw, `differs for ${request.document}`);
        drafted += actual.stats!.drafted;
        validated += actual.stats!.validated;
      }
      assert.ok(validated > 0 && validated <= drafted, `validated ${validated} of ${drafted}`);
    } finally {
      await speculative.dispose();
      await plain.dispose();
    }
  });
});
