import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import {
  contrastiveChoice,
  decodeWithTwoModels,
  ensembleChoice,
  type TwoModelStep,
} from "../../engine/ensemble/index.js";
import { fixtureCorpora, fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

let target: LlamaModel;
let draft: LlamaModel;
const contexts: LlamaContext[] = [];
const teardown = new Teardown();

before(async () => {
  const set = await fixtures();
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  teardown.add(() => target.dispose());
  draft = (await runtime.loadModel(set.draft)).model;
  teardown.add(() => draft.dispose());
  for (const model of [target, draft, target, draft]) {
    const context = await runtime.createContext(model, { contextSize: 1024 });
    contexts.push(context);
    teardown.add(() => context.dispose());
  }
});

after(async () => {
  await teardown.run();
  await disposeTestRuntime();
});

/**
 * The next-token distribution after `tokens`, as a dense array over the vocabulary, from a fresh evaluation.
 */
async function referenceDistribution(
  sequence: LlamaContextSequence,
  tokens: readonly Token[],
  vocabulary: number,
): Promise<Float64Array> {
  await sequence.clearHistory();
  const results = await sequence.controlledEvaluate(
    tokens.map((token, index) =>
      index === tokens.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
    ),
  );
  const dense = new Float64Array(vocabulary);
  for (const [token, probability] of results.at(-1)!.next.probabilities!) dense[token] = probability;
  return dense;
}

/** Contrastive decoding's rule written out plainly over dense arrays. */
function referenceContrastive(
  expert: Float64Array,
  amateur: Float64Array,
  alpha: number,
  beta: number,
): number {
  const cutoff = beta * Math.max(...expert);
  let best = -1;
  let bestScore = -Infinity;
  for (let token = 0; token < expert.length; token++) {
    if (expert[token]! < cutoff) continue;
    const score =
      Math.log(Math.max(expert[token]!, 1e-12)) - alpha * Math.log(Math.max(amateur[token]!, 1e-12));
    if (score > bestScore || (score === bestScore && expert[token]! > expert[best]!))
      [best, bestScore] = [token, score];
  }
  return best;
}

async function corpusPrompt(index: number): Promise<Token[]> {
  const { code } = await fixtureCorpora();
  const file = code.files[(index * 17) % code.files.length]!;
  const cursor = 300 + Math.floor((((index * 7919) % 1000) / 1000) * (file.text.length - 300));
  return target.tokenize(file.text.slice(Math.max(0, cursor - 300), cursor), false);
}

describe("contrastive decoding", () => {
  test("picks, at every step, the token a reference computation from the two models' probabilities picks", async () => {
    const [expertSeq, amateurSeq, referenceExpert, referenceAmateur] = contexts.map((context) =>
      context.getSequence(),
    );
    const settings = { alpha: 1, beta: 0.1 };
    let steps = 0;
    let differsFromGreedy = 0;
    for (const promptIndex of [0, 1, 2]) {
      const prompt = await corpusPrompt(promptIndex);
      const chosen: Token[] = [];
      const seen: TwoModelStep[] = [];
      for await (const token of decodeWithTwoModels(
        { primary: expertSeq!, secondary: amateurSeq! },
        prompt,
        (p, s) => contrastiveChoice(p, s, settings),
        (step) => seen.push(step),
      )) {
        chosen.push(token);
        if (chosen.length >= 16) break;
      }
      const size = seen[0]!.primary.size;
      for (const [index, token] of chosen.entries()) {
        const context = [...prompt, ...chosen.slice(0, index)];
        const expert = await referenceDistribution(referenceExpert!, context, size);
        const amateur = await referenceDistribution(referenceAmateur!, context, size);
        const expected = referenceContrastive(expert, amateur, settings.alpha, settings.beta);
        assert.equal(token, expected, `prompt ${promptIndex}, step ${index}`);
        const greedy = expert.indexOf(Math.max(...expert));
        if (greedy !== token) differsFromGreedy++;
        steps++;
      }
    }
    for (const sequence of [expertSeq, amateurSeq, referenceExpert, referenceAmateur])
      await sequence!.dispose();
    assert.equal(steps, 48);
    assert.ok(
      differsFromGreedy > 0,
      "with alpha 1 the draft must change some choices, or the test proves nothing",
    );
  });

  test("with alpha 0 it is the target's greedy decoding", async () => {
    const [expertSeq, amateurSeq, greedySeq] = contexts.map((context) => context.getSequence());
    const prompt = await corpusPrompt(3);
    const decoded: Token[] = [];
    for await (const token of decodeWithTwoModels(
      { primary: expertSeq!, secondary: amateurSeq! },
      prompt,
      (p, s) => contrastiveChoice(p, s, { alpha: 0, beta: 0 }),
    )) {
      decoded.push(token);
      if (decoded.length >= 16) break;
    }
    await greedySeq!.clearHistory();
    const greedy: Token[] = [];
    for await (const token of greedySeq!.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
      greedy.push(token);
      if (greedy.length >= 16) break;
    }
    for (const sequence of [expertSeq, amateurSeq, greedySeq]) await sequence!.dispose();
    assert.deepEqual(decoded, greedy);
  });

  test("rejects settings outside their range with a clear message", () => {
    const p = new Map<Token, number>([[1 as Token, 1]]);
    assert.throws(() => contrastiveChoice(p, p, { alpha: -1, beta: 0.1 }), /alpha must be a number >= 0/);
    assert.throws(() => contrastiveChoice(p, p, { alpha: 1, beta: 2 }), /beta must be between 0 and 1/);
  });
});

describe("the token ensemble", () => {
  test("picks the argmax of the weighted average of the distributions", () => {
    const a = new Map<Token, number>([
      [1 as Token, 0.6],
      [2 as Token, 0.4],
    ]);
    const b = new Map<Token, number>([
      [1 as Token, 0.1],
      [2 as Token, 0.9],
    ]);
    assert.equal(
      ensembleChoice([
        { probabilities: a, weight: 1 },
        { probabilities: b, weight: 0 },
      ]),
      1,
    );
    assert.equal(
      ensembleChoice([
        { probabilities: a, weight: 1 },
        { probabilities: b, weight: 1 },
      ]),
      2,
    );
    assert.equal(
      ensembleChoice([
        { probabilities: a, weight: 5 },
        { probabilities: b, weight: 1 },
      ]),
      1,
    );
    assert.equal(
      ensembleChoice([
        { probabilities: a, weight: 3 },
        { probabilities: b, weight: 1 },
      ]),
      2,
    );
    assert.throws(() => ensembleChoice([{ probabilities: a, weight: 0 }]), /non-negative weights/);
  });
});
