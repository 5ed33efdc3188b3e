import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import { openGguf } from "../../engine/gguf/index.js";
import {
  importNodeLlamaCpp,
  mean,
  tokenLogLikelihoods,
  validateModelFile,
} from "../../engine/runtime/index.js";
import { BpeTokenizer } from "../../engine/tinymodel/tokenizer/index.js";
import { fixtureCorpora, fixtures, type Fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let set: Fixtures;
const loaded = new Map<string, LlamaModel>();

async function model(path: string): Promise<LlamaModel> {
  const existing = loaded.get(path);
  if (existing) return existing;
  const { model } = await (await testRuntime()).loadModel(path);
  loaded.set(path, model);
  return model;
}

async function complete(
  path: string,
  prompt: string,
  options: { maxTokens: number; temperature?: number; seed?: number },
): Promise<string> {
  const { LlamaCompletion } = await importNodeLlamaCpp();
  const context = await (await testRuntime()).createContext(await model(path), { contextSize: 512 });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    return await completion.generateCompletion(prompt, { temperature: 0, ...options });
  } finally {
    await context.dispose();
  }
}

/** Text that reads as source code: mostly printable ASCII, identifiers, and code punctuation. */
function assertCodeLike(text: string): void {
  assert.ok(text.trim().length >= 40, `too little text: ${JSON.stringify(text)}`);
  const printable = [...text].filter((char) => /[\x20-\x7e\n\t]/.test(char)).length / [...text].length;
  assert.ok(printable > 0.95, `not printable enough (${printable.toFixed(2)}): ${JSON.stringify(text)}`);
  const identifiers = text.match(/[A-Za-z_$][A-Za-z0-9_$]{2,}/g) ?? [];
  assert.ok(identifiers.length >= 5, `too few identifiers: ${JSON.stringify(text)}`);
  const punctuation = new Set(text.match(/[(){}[\];=.,]/g) ?? []);
  assert.ok(punctuation.size >= 3, `too little code punctuation: ${JSON.stringify(text)}`);
}

before(async () => {
  set = await fixtures();
});

after(async () => {
  for (const loadedModel of loaded.values()) await loadedModel.dispose();
  await disposeTestRuntime();
});

describe("the fixture models", () => {
  test("every file passes validation and node-llama-cpp reads the same header we wrote", async () => {
    const { readGgufFileInfo } = await importNodeLlamaCpp();
    const files = [
      set.draft,
      set.target,
      set.embedding,
      ...Object.values(set.fineTunes),
      ...Object.values(set.adapters),
    ];
    for (const path of files) {
      const summary = await validateModelFile(path);
      const theirs = await readGgufFileInfo(path, { readTensorInfo: true });
      const ours = await openGguf(path);
      try {
        assert.equal(theirs.metadata.general.architecture, "llama");
        assert.deepEqual(
          theirs.fullTensorInfo?.map((tensor) => tensor.name),
          ours.tensors.map((tensor) => tensor.name),
        );
        if (summary.kind === "model") assert.equal(summary.vocabularySize, set.manifest.vocabularySize);
      } finally {
        await ours.close();
      }
    }
  });

  test("draft and target generate code through node-llama-cpp, deterministically for a seed", async () => {
    const prompt = "export async function loadModel(options) {\n  const ";
    for (const path of [set.draft, set.target]) {
      // Greedy decoding of a bigram model settles into a loop, so only its determinism is checked;
      // what reads as code is the sampled text.
      const greedy = await complete(path, prompt, { maxTokens: 64 });
      assert.ok(greedy.length > 0);
      assert.equal(
        await complete(path, prompt, { maxTokens: 64 }),
        greedy,
        "greedy decoding is deterministic",
      );

      const sampled = await complete(path, prompt, { maxTokens: 64, temperature: 0.8, seed: 7 });
      assert.equal(
        await complete(path, prompt, { maxTokens: 64, temperature: 0.8, seed: 7 }),
        sampled,
        "same seed, same text",
      );
      const otherSeeds = [];
      for (const seed of [8, 9, 10])
        otherSeeds.push(await complete(path, prompt, { maxTokens: 64, temperature: 0.8, seed }));
      assert.ok(
        otherSeeds.some((text) => text !== sampled),
        "other seeds give other samples",
      );
      for (const text of [sampled, ...otherSeeds]) assertCodeLike(text);
    }
  });

  test("llama.cpp tokenizes exactly as our BPE tokenizer does", async () => {
    const header = await openGguf(set.target);
    const tokens = header.getArray("tokenizer.ggml.tokens") as string[];
    const types = header.getArray("tokenizer.ggml.token_type") as number[];
    const merges = (header.getArray("tokenizer.ggml.merges") as string[]).map(
      (merge) => merge.split(" ") as [string, string],
    );
    await header.close();
    const normal = tokens.filter((_, id) => types[id] !== 3);
    const specialTokens = tokens.flatMap((text, id) => (types[id] === 3 ? [{ text, id }] : []));
    const ours = new BpeTokenizer({ tokens: normal, merges, specialTokens });

    const { model: vocabulary } = await (await testRuntime()).loadModel(set.target, { vocabOnly: true });
    try {
      const corpora = await fixtureCorpora();
      const samples = [
        "  return x;\r\n\tconst y = 12345 + 0.5e-3;\n\n\n",
        "def f(a, b):\n    return a ** b  # it's done\n",
        "naïve café → 日本語 🙂 emoji's\n",
        "   \n  trailing   \n",
      ];
      for (const corpus of [corpora.code, corpora.python, corpora.cpp]) {
        for (const file of corpus.files.filter((_: unknown, index: number) => index % 7 === 0)) {
          samples.push(file.text.slice(0, 2000));
        }
      }
      for (const sample of samples) {
        assert.deepEqual(
          ours.encode(sample),
          [...vocabulary.tokenize(sample)],
          `tokenization differs for ${JSON.stringify(sample.slice(0, 80))}`,
        );
        assert.equal(vocabulary.detokenize(vocabulary.tokenize(sample)), sample);
      }
      const withSpecial = "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>";
      assert.deepEqual(ours.encode(withSpecial, { parseSpecial: true }), [
        ...vocabulary.tokenize(withSpecial, true),
      ]);
    } finally {
      await vocabulary.dispose();
    }
  });

  test("the draft predicts like the target, but not identically", async () => {
    const prompts = [
      "const result = await ",
      "function ",
      "if (options.",
      "export class ",
      "import { ",
      "    throw new Error(",
      "for (const ",
      "return this.",
      "/**\n * ",
      "let index = ",
      'case "',
      "this._",
    ];
    let identical = 0;
    let agreeingPrefix = 0;
    for (const prompt of prompts) {
      const draft = await complete(set.draft, prompt, { maxTokens: 24 });
      const target = await complete(set.target, prompt, { maxTokens: 24 });
      if (draft === target) identical++;
      let common = 0;
      while (common < Math.min(draft.length, target.length) && draft[common] === target[common]) common++;
      agreeingPrefix += common;
    }
    assert.ok(identical < prompts.length, "the draft must sometimes disagree with the target");
    assert.ok(
      agreeingPrefix / prompts.length >= 8,
      `they agree on ${agreeingPrefix / prompts.length} characters on average`,
    );
  });

  test("the LoRA adapters and the fine-tunes shift the target towards their language", async () => {
    const runtime = await testRuntime();
    const corpora = await fixtureCorpora();
    const target = await model(set.target);
    const snippet = (language: "python" | "cpp" | "code"): string =>
      corpora[language].files[3]!.text.slice(0, 1500);
    const score = async (path: string, text: string, lora?: string): Promise<number> => {
      const context = await runtime.createContext(await model(path), {
        contextSize: 1024,
        ...(lora ? { lora: { adapters: [{ filePath: lora, scale: 1 }] } } : {}),
      });
      try {
        return mean(await tokenLogLikelihoods(context.getSequence(), target.tokenize(text)));
      } finally {
        await context.dispose();
      }
    };
    for (const language of ["python", "cpp"] as const) {
      const base = await score(set.target, snippet(language));
      const adapted = await score(set.target, snippet(language), set.adapters[language]);
      const fineTuned = await score(set.fineTunes[language]!, snippet(language));
      assert.ok(
        adapted > base + 0.3,
        `${language} adapter: ${adapted.toFixed(3)} vs base ${base.toFixed(3)} nats/token`,
      );
      assert.ok(
        fineTuned > base + 0.3,
        `${language} fine-tune: ${fineTuned.toFixed(3)} vs base ${base.toFixed(3)} nats/token`,
      );
      const codeBase = await score(set.target, snippet("code"));
      const codeAdapted = await score(set.target, snippet("code"), set.adapters[language]);
      assert.ok(
        codeAdapted - codeBase < adapted - base,
        "the shift is towards the adapter's language, not everything",
      );
    }
  });

  test("the embedding model puts similar code close together", async () => {
    const runtime = await testRuntime();
    const embeddingModel = await model(set.embedding);
    const context = await embeddingModel.createEmbeddingContext({
      contextSize: 512,
      threads: runtime.threads,
    });
    try {
      const embed = async (text: string): Promise<readonly number[]> =>
        (await context.getEmbeddingFor(text)).vector;
      const readFileA = await embed(
        "async function readJson(path) {\n  const text = await fs.readFile(path, 'utf8');\n  return JSON.parse(text);\n}",
      );
      const readFileB = await embed(
        "async function loadConfig(file) {\n  const content = await fs.readFile(file, 'utf8');\n  return JSON.parse(content);\n}",
      );
      const python = await embed(
        "class Tensor:\n    def __init__(self, name, shape):\n        self.name = name\n        self.shape = shape\n",
      );
      const cosine = (a: readonly number[], b: readonly number[]): number => {
        let dot = 0,
          na = 0,
          nb = 0;
        for (let i = 0; i < a.length; i++) {
          dot += a[i]! * b[i]!;
          na += a[i]! * a[i]!;
          nb += b[i]! * b[i]!;
        }
        return dot / Math.sqrt(na * nb);
      };
      const similar = cosine(readFileA, readFileB);
      const different = cosine(readFileA, python);
      assert.ok(
        similar > different + 0.2,
        `similar ${similar.toFixed(3)} vs different ${different.toFixed(3)}`,
      );
    } finally {
      await context.dispose();
    }
  });
});
