// Quantized merge outputs: the per-tensor types of llama.cpp's presets, and the catalog's Q4_K_M variant
// of the fixtures, which must load and complete in node-llama-cpp and, when llama-quantize is built,
// equal llama-quantize's Q4_K_M of the same merge written as F32, tensor for tensor.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ensureMergedVariant,
  loadCatalog,
  mergedVariantPath,
  ModelResolver,
  resolveVariant,
} from "../../engine/catalog/index.js";
import { GgmlType, openGguf } from "../../engine/gguf/index.js";
import { mergeModels } from "../../engine/merge/index.js";
import { presetTensorTypes, type QuantPreset } from "../../engine/merge/quantPresetTypes.js";
import { importNodeLlamaCpp, mean, tokenLogLikelihoods } from "../../engine/runtime/index.js";
import { fixtureCorpora, fixtures, type Fixtures } from "../support/fixtures.js";
import { llamaQuantize, llamaQuantizeOrSkip } from "../support/llamaQuantize.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

const { Q4_0, Q4_K, Q5_0, Q5_1, Q5_K, Q6_K, Q8_0, F16 } = GgmlType;

/** The tensors of a llama model with `blocks` blocks, 256-wide rows, and an output head unless tied. */
function llamaTensors(blocks: number, tied = false): { name: string; dims: number[] }[] {
  const tensors = [{ name: "token_embd.weight", dims: [256, 1000] }];
  for (let b = 0; b < blocks; b++) {
    for (const part of ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"])
      tensors.push({ name: `blk.${b}.${part}.weight`, dims: [256, 256] });
    tensors.push({ name: `blk.${b}.attn_norm.weight`, dims: [256] });
  }
  if (!tied) tensors.push({ name: "output.weight", dims: [256, 1000] });
  return tensors;
}

const llamaFacts = (blocks: number) => ({
  architecture: "llama",
  blockCount: blocks,
  expertCount: 0,
  headCount: 16,
  headCountKv: 4,
});

const repeat = (count: number, value: string): string[] => Array.from({ length: count }, () => value);

function typeNames(types: Map<string, GgmlType>, names: string[]): string[] {
  return names.map((name) => GgmlType[types.get(name)!]);
}

describe("llama.cpp's quantization presets, tensor by tensor", () => {
  // use_more_bits(i, n): i < n/8, i >= 7n/8, or (i - n/8) % 3 == 2. For 8 layers: 0, 3, 6 and 7.
  const moreBits8 = [0, 3, 6, 7];
  const layers = (part: string): string[] => Array.from({ length: 8 }, (_, b) => `blk.${b}.${part}.weight`);
  const expectByLayer = (more: string, other: string): string[] =>
    Array.from({ length: 8 }, (_, b) => (moreBits8.includes(b) ? more : other));

  test("Q4_K_M: Q6_K for the output and for attn_v and ffn_down in the use_more_bits layers, Q4_K elsewhere", () => {
    const types = presetTensorTypes(llamaTensors(8), llamaFacts(8), "Q4_K_M");
    assert.equal(types.get("output.weight"), Q6_K);
    assert.equal(types.get("token_embd.weight"), Q4_K);
    assert.deepEqual(typeNames(types, layers("attn_v")), expectByLayer("Q6_K", "Q4_K"));
    assert.deepEqual(typeNames(types, layers("ffn_down")), expectByLayer("Q6_K", "Q4_K"));
    for (const part of ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"])
      assert.deepEqual(typeNames(types, layers(part)), repeat(8, "Q4_K"), part);
    assert.equal(types.has("blk.0.attn_norm.weight"), false, "norms are not quantized");
  });

  test("Q5_K_M, Q4_K_S, Q5_K_S, Q6_K and Q4_0 follow their own rules", () => {
    const tensors = llamaTensors(8);
    const q5km = presetTensorTypes(tensors, llamaFacts(8), "Q5_K_M");
    assert.deepEqual(typeNames(q5km, layers("attn_v")), expectByLayer("Q6_K", "Q5_K"));
    assert.deepEqual(typeNames(q5km, layers("ffn_down")), expectByLayer("Q6_K", "Q5_K"));
    assert.equal(q5km.get("blk.1.ffn_up.weight"), Q5_K);
    const q4ks = presetTensorTypes(tensors, llamaFacts(8), "Q4_K_S");
    // attn_v: the first 4 get Q5_K; ffn_down: layers below n/8 get Q5_K.
    assert.deepEqual(typeNames(q4ks, layers("attn_v")), [...repeat(4, "Q5_K"), ...repeat(4, "Q4_K")]);
    assert.deepEqual(typeNames(q4ks, layers("ffn_down")), ["Q5_K", ...repeat(7, "Q4_K")]);
    const q5ks = presetTensorTypes(tensors, llamaFacts(8), "Q5_K_S");
    assert.deepEqual(
      new Set(typeNames(q5ks, [...layers("attn_v"), ...layers("ffn_down")])),
      new Set(["Q5_K"]),
    );
    const q6k = presetTensorTypes(tensors, llamaFacts(8), "Q6_K");
    assert.deepEqual(new Set(q6k.values()), new Set([Q6_K]));
    const q40 = presetTensorTypes(tensors, llamaFacts(8), "Q4_0");
    assert.equal(q40.get("output.weight"), Q6_K);
    assert.deepEqual(
      new Set([...q40.entries()].filter(([n]) => n !== "output.weight").map(([, t]) => t)),
      new Set([Q4_0]),
    );
  });

  test("tied embeddings: token_embd is quantized as the output would be", () => {
    for (const preset of ["Q4_K_M", "Q4_0"] as QuantPreset[]) {
      const types = presetTensorTypes(llamaTensors(8, true), llamaFacts(8), preset);
      assert.equal(types.get("token_embd.weight"), Q6_K, preset);
    }
  });

  test("rows that are not whole blocks fall back as llama.cpp does", () => {
    const tensors = [
      { name: "output.weight", dims: [96, 10] },
      { name: "blk.0.attn_q.weight", dims: [96, 10] },
      { name: "blk.0.attn_k.weight", dims: [40, 10] },
      { name: "token_embd.weight", dims: [40, 10] },
    ];
    // Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0 for rows of whole 32-value blocks; F16 otherwise. The
    // output (and tied embeddings) of rows not made of 256-value blocks is Q8_0.
    const byName = (preset: QuantPreset): Map<string, GgmlType> =>
      presetTensorTypes(tensors, llamaFacts(1), preset);
    assert.equal(byName("Q4_K_M").get("blk.0.attn_q.weight"), Q5_0);
    assert.equal(byName("Q5_K_M").get("blk.0.attn_q.weight"), Q5_1);
    assert.equal(byName("Q6_K").get("blk.0.attn_q.weight"), Q8_0);
    assert.equal(byName("Q4_0").get("blk.0.attn_q.weight"), Q4_0);
    for (const preset of ["Q4_K_M", "Q5_K_M", "Q6_K", "Q4_0"] as QuantPreset[]) {
      assert.equal(byName(preset).get("output.weight"), Q8_0, preset);
      assert.equal(byName(preset).get("blk.0.attn_k.weight"), F16, preset);
      assert.equal(byName(preset).get("token_embd.weight"), F16, preset);
    }
  });
});

describe("the catalog's Q4_K_M merged variant of the fixtures", () => {
  let set: Fixtures;
  let dir: string;

  before(async () => {
    set = await fixtures();
    dir = await mkdtemp(join(tmpdir(), "coop-merge-quantized-"));
  });

  after(async () => {
    await disposeTestRuntime();
    await rm(dir, { recursive: true, force: true });
  });

  test("merges to Q4_K_M with llama.cpp's types, loads in node-llama-cpp, completes, and scores close to the Q8_0 merge", async (t) => {
    const catalog = await loadCatalog();
    const resolver = new ModelResolver({ cacheDir: dir, tinyModels: fixtures });
    const quantized = await ensureMergedVariant(
      catalog,
      catalog.variants.get("coop-tiny-ties-q4_k_m")!,
      resolver,
    );
    assert.equal(quantized.built?.outputType, "Q4_K_M");
    assert.equal((await resolveVariant(catalog, "coop-tiny-ties-q4_k_m", resolver)).target, quantized.path);

    const file = await openGguf(quantized.path);
    const target = await openGguf(set.target);
    try {
      assert.equal(file.get("general.file_type"), 15, "LLAMA_FTYPE_MOSTLY_Q4_K_M");
      const blocks = Number(target.get("llama.block_count"));
      const layerTypes = (part: string): (string | undefined)[] =>
        Array.from({ length: blocks }, (_, b) => {
          const type = file.tensor(`blk.${b}.${part}.weight`)?.type;
          return type === undefined ? undefined : GgmlType[type];
        });
      const moreBits = (b: number): boolean =>
        b < Math.trunc(blocks / 8) ||
        b >= Math.trunc((7 * blocks) / 8) ||
        (b - Math.trunc(blocks / 8)) % 3 === 2;
      const expected = Array.from({ length: blocks }, (_, b) => (moreBits(b) ? "Q6_K" : "Q4_K"));
      assert.deepEqual(layerTypes("attn_v"), expected);
      assert.deepEqual(layerTypes("ffn_down"), expected);
      assert.deepEqual(layerTypes("ffn_up"), repeat(blocks, "Q4_K"));
      assert.equal(file.tensor("output.weight")?.type, Q6_K);
      assert.equal(file.tensor("output_norm.weight")?.type, GgmlType.F32);
    } finally {
      await file.close();
      await target.close();
    }

    const runtime = await testRuntime();
    const merged = (await runtime.loadModel(quantized.path)).model;
    const q8 = await ensureMergedVariant(catalog, catalog.variants.get("coop-tiny-ties")!, resolver);
    const reference = (await runtime.loadModel(q8.path)).model;
    const corpora = await fixtureCorpora();
    const snippet = corpora.python.files[3]!.text.slice(0, 1200);
    const tokens = merged.tokenize(snippet).slice(0, 200);
    const score = async (model: typeof merged): Promise<number> => {
      const context = await runtime.createContext(model, { contextSize: 512 });
      try {
        return mean(await tokenLogLikelihoods(context.getSequence(), tokens));
      } finally {
        await context.dispose();
      }
    };
    const [quantizedScore, referenceScore] = [await score(merged), await score(reference)];
    t.diagnostic(
      `mean log-likelihood: Q4_K_M ${quantizedScore.toFixed(4)}, Q8_0 ${referenceScore.toFixed(4)}`,
    );
    assert.ok(
      Math.abs(quantizedScore - referenceScore) < 0.05,
      `Q4_K_M ${quantizedScore.toFixed(4)} vs Q8_0 ${referenceScore.toFixed(4)} nats/token`,
    );

    const { LlamaCompletion } = await importNodeLlamaCpp();
    const context = await runtime.createContext(merged, { contextSize: 512 });
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const text = await completion.generateCompletion("def read_config(path):\n    ", {
        maxTokens: 24,
        temperature: 0,
      });
      completion.dispose();
      assert.ok(text.trim().length > 0, "the Q4_K_M merge completes the prompt");
    } finally {
      await context.dispose();
    }
  });

  const binary = llamaQuantizeOrSkip("the Q4_K_M merge against llama-quantize's Q4_K_M of the F32 merge");
  test(
    "equals llama-quantize's Q4_K_M of the same merge written as F32, tensor for tensor",
    { skip: binary === undefined },
    async () => {
      const catalog = await loadCatalog();
      const resolver = new ModelResolver({ cacheDir: dir, tinyModels: fixtures });
      const variant = catalog.variants.get("coop-tiny-ties-q4_k_m")!;
      const ours = await ensureMergedVariant(catalog, variant, resolver);
      const { base, inputs } = await mergedVariantPath(catalog, variant, resolver);
      const recipe = variant.merge!;
      const f32 = join(dir, "ties-f32.gguf");
      await mergeModels({
        method: recipe.method,
        base,
        inputs: recipe.inputs.map((input, i) => ({
          path: inputs[i]!,
          weight: input.weight,
          density: input.density,
        })),
        params: recipe.params,
        seed: recipe.seed,
        output: { kind: "model", path: f32, type: "F32" },
      });
      const theirsPath = join(dir, "ties-llama-quantize.gguf");
      await llamaQuantize(binary!, f32, theirsPath, "Q4_K_M", { threads: 2 });
      await rm(f32);
      const [mine, theirs] = [await openGguf(ours.path), await openGguf(theirsPath)];
      try {
        assert.equal(mine.tensors.length, theirs.tensors.length);
        for (const tensor of mine.tensors) {
          const other = theirs.tensor(tensor.name);
          assert.ok(other, tensor.name);
          assert.equal(GgmlType[tensor.type], GgmlType[other.type], `${tensor.name}: type`);
          const [a, b] = [await mine.readTensorBytes(tensor.name), await theirs.readTensorBytes(tensor.name)];
          assert.ok(
            Buffer.from(a).equals(Buffer.from(b)),
            `${tensor.name}: bytes differ from llama-quantize's`,
          );
        }
      } finally {
        await mine.close();
        await theirs.close();
      }
    },
  );
});
