import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaContextOptions, LlamaModel, Token } from "node-llama-cpp";
import {
  ensureMergedVariant,
  loadCatalog,
  ModelResolver,
  resolveVariant,
} from "../../engine/catalog/index.js";
import { mergeModels } from "../../engine/merge/index.js";
import { importNodeLlamaCpp, mean, tokenLogLikelihoods } from "../../engine/runtime/index.js";
import { fixtureCorpora, fixtures, type Fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let set: Fixtures;
let dir: string;

before(async () => {
  set = await fixtures();
  dir = await mkdtemp(join(tmpdir(), "coop-merge-fixtures-"));
});

after(async () => {
  await disposeTestRuntime();
  await rm(dir, { recursive: true, force: true });
});

async function loadModel(path: string): Promise<LlamaModel> {
  return (await (await testRuntime()).loadModel(path)).model;
}

/** The next-token distribution after each prefix of `tokens`. */
async function nextTokenDistributions(
  model: LlamaModel,
  tokens: readonly Token[],
  lora?: LlamaContextOptions["lora"],
): Promise<Map<Token, number>[]> {
  const context = await (
    await testRuntime()
  ).createContext(model, { contextSize: 256, ...(lora ? { lora } : {}) });
  try {
    const results = await context
      .getSequence()
      .controlledEvaluate(tokens.map((token) => [token, { generateNext: { probabilities: true } }]));
    return results.map((result, i) => {
      const probabilities = result?.next.probabilities;
      assert.ok(probabilities, `no probabilities at position ${i}`);
      return probabilities;
    });
  } finally {
    await context.dispose();
  }
}

/** The largest total variation distance between two lists of distributions, position by position. */
function largestTotalVariation(p: Map<Token, number>[], q: Map<Token, number>[]): number {
  let worst = 0;
  p.forEach((pi, i) => {
    const qi = q[i]!;
    let sum = 0;
    for (const token of new Set([...pi.keys(), ...qi.keys()]))
      sum += Math.abs((pi.get(token) ?? 0) - (qi.get(token) ?? 0));
    worst = Math.max(worst, sum / 2);
  });
  return worst;
}

describe("merges of the fixture models in node-llama-cpp", () => {
  test("a linear merge of the two LoRA adapters gives the next-token probabilities of applying both at run time", async () => {
    const scales = { python: 0.7, cpp: 0.5 };
    const inputs = [
      { path: set.adapters.python!, weight: scales.python },
      { path: set.adapters.cpp!, weight: scales.cpp },
    ];
    const mergedAdapter = join(dir, "lora-merged.gguf");
    const adapterSummary = await mergeModels({
      method: "linear",
      inputs,
      params: { normalize: false },
      output: { kind: "adapter", path: mergedAdapter, rank: 32 },
    });
    assert.ok(
      adapterSummary.energyKept! > 0.9999,
      `two rank-16 deltas fit in rank 32: energy kept ${adapterSummary.energyKept}`,
    );
    const mergedModel = join(dir, "target-plus-loras.gguf");
    await mergeModels({
      method: "linear",
      base: set.target,
      inputs,
      params: { normalize: false },
      output: { kind: "model", path: mergedModel, type: "F32" },
    });

    const target = await loadModel(set.target);
    const text = (await fixtureCorpora()).python.files[5]!.text.slice(0, 400);
    const tokens = target.tokenize(text).slice(0, 40);
    const bothAtRunTime = await nextTokenDistributions(target, tokens, {
      adapters: [
        { filePath: set.adapters.python!, scale: scales.python },
        { filePath: set.adapters.cpp!, scale: scales.cpp },
      ],
    });
    const viaMergedAdapter = await nextTokenDistributions(target, tokens, {
      adapters: [{ filePath: mergedAdapter, scale: 1 }],
    });
    const viaMergedModel = await nextTokenDistributions(await loadModel(mergedModel), tokens);
    const withoutAdapters = await nextTokenDistributions(target, tokens);

    const adapterEffect = largestTotalVariation(bothAtRunTime, withoutAdapters);
    assert.ok(
      adapterEffect > 0.05,
      `the adapters must change the distribution for the comparison to mean anything (${adapterEffect})`,
    );
    const adapterGap = largestTotalVariation(bothAtRunTime, viaMergedAdapter);
    // Measured: ~4e-7 and ~7e-7 (float rounding); the adapters themselves move it by ~0.98.
    assert.ok(
      adapterGap < 1e-4,
      `merged adapter vs both adapters at run time: total variation ${adapterGap}`,
    );
    const modelGap = largestTotalVariation(bothAtRunTime, viaMergedModel);
    assert.ok(
      modelGap < 1e-4,
      `adapters merged into the model vs both adapters at run time: total variation ${modelGap}`,
    );
  });

  test("the catalog's TIES variant merges the two fine-tunes once, then loads, generates, and knows both languages better than the base", async () => {
    const catalog = await loadCatalog();
    const resolver = new ModelResolver({ cacheDir: dir, tinyModels: fixtures });
    const variant = catalog.variants.get("coop-tiny-ties")!;
    const first = await ensureMergedVariant(catalog, variant, resolver);
    assert.ok(first.built, "the first call merges");
    assert.equal(first.built.method, "ties");
    assert.ok(first.path.startsWith(join(dir, "models", "merged")), first.path);
    const again = await ensureMergedVariant(catalog, variant, resolver);
    assert.equal(again.path, first.path);
    assert.equal(again.built, undefined, "the second call reuses the cached merge");
    assert.equal((await resolveVariant(catalog, "coop-tiny-ties", resolver)).target, first.path);

    const merged = await loadModel(first.path);
    const base = await loadModel(set.target);
    const corpora = await fixtureCorpora();
    const score = async (model: LlamaModel, text: string): Promise<number> => {
      const context = await (await testRuntime()).createContext(model, { contextSize: 512 });
      try {
        return mean(await tokenLogLikelihoods(context.getSequence(), base.tokenize(text).slice(0, 200)));
      } finally {
        await context.dispose();
      }
    };
    for (const language of ["python", "cpp"] as const) {
      const snippet = corpora[language].files[3]!.text.slice(0, 1200);
      const [mergedScore, baseScore] = [await score(merged, snippet), await score(base, snippet)];
      assert.ok(
        mergedScore > baseScore + 0.1,
        `${language}: merged ${mergedScore.toFixed(3)} vs base ${baseScore.toFixed(3)} nats/token`,
      );
    }

    const { LlamaCompletion } = await importNodeLlamaCpp();
    const context = await (await testRuntime()).createContext(merged, { contextSize: 512 });
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const text = await completion.generateCompletion("def read_config(path):\n    ", {
        maxTokens: 24,
        temperature: 0,
      });
      completion.dispose();
      assert.ok(text.trim().length > 0, "the merged model generates text");
    } finally {
      await context.dispose();
    }
  });
});
