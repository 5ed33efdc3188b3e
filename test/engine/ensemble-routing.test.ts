import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine, type CompletionRequest } from "../../engine/completion/index.js";
import {
  CooperativeEngine,
  type EngineCompletion,
  type EngineCompletionRequest,
  type VariantSpec,
} from "../../engine/host/index.js";
import { fixtureCorpora, fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

let variant: VariantSpec;
let target: LlamaModel;
let draft: LlamaModel;
/** What the draft alone and the target alone answer, computed apart from the engine under test. */
let referenceDraft: CompletionEngine;
let referenceTarget: CompletionEngine;
const teardown = new Teardown();

before(async () => {
  const set = await fixtures();
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  teardown.add(() => target.dispose());
  draft = (await runtime.loadModel(set.draft)).model;
  teardown.add(() => draft.dispose());
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
});

/**
 * A request at a place in the corpus. The fixtures are bigram models: whatever the prompt, a greedy
 * answer follows the same chain from the FIM middle token, so one line is the same text from the
 * draft and the target (their token probabilities differ), while several lines differ in text.
 */
async function requestAt(index: number, multiline: boolean): Promise<CompletionRequest> {
  const { code } = await fixtureCorpora();
  const file = code.files[(index * 13) % code.files.length]!;
  const cursor = Math.floor((((index * 7919) % 1000) / 1000) * file.text.length);
  return {
    document: `file:///${file.path}#${multiline ? "multi" : "single"}-${index}`,
    path: file.path,
    prefix: file.text.slice(Math.max(0, cursor - 400), cursor),
    suffix: file.text.slice(cursor, cursor + 120),
    multiline,
    maxTokens: multiline ? 48 : 24,
    // The probabilities show which model generated an answer when the text cannot.
    tokenConfidence: !multiline,
  };
}

/** Batching changes a probability in its 6th digit (speculation evaluates several tokens at once). */
const probabilityNoise = 5e-5;

function largestDifference(a: readonly number[] | undefined, b: readonly number[] | undefined): number {
  assert.ok(a && b && a.length === b.length, "the same tokens, each with its probability");
  return Math.max(...a.map((value, index) => Math.abs(value - b[index]!)));
}

/**
 * The answer is the one `model` alone gives: the same text and, for one line, the same token probabilities.
 */
async function expectServedBy(
  answer: EngineCompletion,
  request: CompletionRequest,
  model: "draft" | "target",
): Promise<void> {
  assert.equal(answer.ensemble?.servedBy, model);
  const [fromDraft, fromTarget] = [
    await referenceDraft.complete({ ...request, bypassCache: true }),
    await referenceTarget.complete({ ...request, bypassCache: true }),
  ];
  const probabilities = (result: { tokenConfidences?: { probability: number }[] }) =>
    result.tokenConfidences?.map((token) => token.probability);
  const expected = model === "draft" ? fromDraft : fromTarget;
  assert.equal(answer.text, expected.text, `the ${model}'s text`);
  if (request.multiline) {
    assert.notEqual(fromDraft.text, fromTarget.text, "the request tells the models apart by their text");
  } else {
    const between = largestDifference(probabilities(fromDraft), probabilities(fromTarget));
    assert.ok(
      between > 4 * probabilityNoise,
      `the request tells the models apart by their probabilities (they differ by ${between} at most)`,
    );
    const off = largestDifference(probabilities(answer), probabilities(expected));
    assert.ok(off < probabilityNoise, `the ${model}'s probabilities (off by ${off})`);
  }
}

describe("routed completions in the engine", () => {
  test("while the target loads the draft answers and says so; once loaded the target answers", async () => {
    const [whileLoading, afterwards] = [await requestAt(0, true), await requestAt(1, true)];
    const engine = new CooperativeEngine();
    try {
      let during: Promise<EngineCompletion> | undefined;
      await engine.loadVariant(variant, undefined, (progress) => {
        // The draft is loaded and ready by the time the target's loading reports progress.
        if (!during && progress.message === "loading the target model")
          during = engine.complete({ ...whileLoading, ensemble: { preference: "quality" } });
      });
      assert.ok(during, "the target's loading reported progress");
      const answer = await during;
      assert.equal(answer.ensemble?.route, "draft");
      assert.equal(answer.ensemble.draftWhileTargetLoads, true);
      await expectServedBy(answer, whileLoading, "draft");

      const loaded = await engine.complete({ ...afterwards, ensemble: { preference: "quality" } });
      assert.deepEqual([loaded.ensemble?.route, loaded.ensemble?.draftWhileTargetLoads], ["target", false]);
      await expectServedBy(loaded, afterwards, "target");
    } finally {
      await engine.dispose();
    }
  });

  describe("with the target loaded", () => {
    let engine: CooperativeEngine;
    before(async () => {
      engine = new CooperativeEngine();
      await engine.loadVariant(variant);
    });
    after(async () => {
      await engine.dispose();
    });

    test("speed: the draft alone answers one line with a short context", async () => {
      const request = await requestAt(2, false);
      const answer = await engine.complete({ ...request, ensemble: { preference: "speed" } });
      assert.deepEqual([answer.ensemble?.route, answer.ensemble?.draftWhileTargetLoads], ["draft", false]);
      await expectServedBy(answer, request, "draft");
    });

    test("balanced and speed run a cascade, whose answer is the draft's when kept and the target's when escalated", async () => {
      const singles = [await requestAt(3, false), await requestAt(4, false)];
      const multi = await requestAt(5, true);
      const cases: EngineCompletionRequest[] = [
        { ...singles[0]!, ensemble: { preference: "balanced", minConfidence: 0 } },
        { ...singles[1]!, ensemble: { preference: "balanced", minConfidence: 1 } },
        { ...multi, ensemble: { preference: "speed", minConfidence: 0.3 } },
      ];
      for (const request of cases) {
        const answer = await engine.complete(request);
        assert.equal(answer.ensemble?.route, "cascade");
        const escalation = answer.ensemble.escalation;
        assert.ok(escalation, "a cascade reports its judgement of the draft's answer");
        await expectServedBy(answer, request, escalation.escalated ? "target" : "draft");
      }
      // A threshold of 0 keeps any non-empty answer; 1 escalates any the draft was not certain of.
      const [kept, escalated] = [await engine.complete(cases[0]!), await engine.complete(cases[1]!)];
      assert.equal(kept.ensemble?.servedBy, "draft");
      assert.equal(escalated.ensemble?.servedBy, "target");
      assert.ok((await engine.stats()).cascadeEscalationRate !== undefined);
    });

    test("the target answers multi-line under balanced, anything under quality, and long contexts", async () => {
      const multi = await requestAt(6, true);
      const [single, long] = [await requestAt(7, false), await requestAt(8, false)];
      const cases: [EngineCompletionRequest, RegExp][] = [
        [{ ...multi, ensemble: { preference: "balanced" } }, /multi-line/],
        [{ ...single, ensemble: { preference: "quality" } }, /quality/],
        [{ ...long, ensemble: { preference: "balanced", longContextTokens: 16 } }, /long context/],
      ];
      for (const [request, reason] of cases) {
        const answer = await engine.complete(request);
        assert.deepEqual([answer.ensemble?.route, answer.ensemble?.draftWhileTargetLoads], ["target", false]);
        assert.match(answer.ensemble!.reason, reason);
        await expectServedBy(answer, request, "target");
      }
    });
  });
});
