import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GgmlType } from "../gguf/index.js";
import { BigramCounts, logProbabilities } from "./bigram.js";
import type { Corpus } from "./corpus.js";
import { copyCircuit } from "./copyCircuit.js";
import type { LlamaShape } from "./llamaShape.js";
import { lowRankOutputDelta } from "./lowRankDelta.js";
import { learnVocabulary, type Vocabulary } from "./vocabulary.js";
import { writeLoraAdapter } from "./writeLoraAdapter.js";
import { writeTinyModel, type TinyModelRecipe } from "./writeTinyModel.js";

/** Bumped whenever the plan below changes what it builds, so caches keyed on it rebuild. */
export const tinyModelSetVersion = 5;

export interface TinyModelSetCorpora {
  /** The main language (JavaScript/TypeScript): the draft's and target's knowledge. */
  code: Corpus;
  /** Python: what one adapter and one fine-tune shift towards. */
  python: Corpus;
  /** C++: what the other adapter and fine-tune shift towards. */
  cpp: Corpus;
}

export interface TinyModelSetOptions {
  vocabularySize: number;
  /** How expensive the target is: blocks and feed-forward width (the draft has one narrow block). */
  targetBlocks: number;
  targetFeedForward: number;
  /**
   * The copy-head target's blocks and feed-forward width: its residual is half as wide again as the
   * bigram's, so fewer, narrower blocks keep its cost per token near the bigram target's.
   */
  copyTargetBlocks: number;
  copyTargetFeedForward: number;
  loraRank: number;
}

export const defaultTinyModelSetOptions: TinyModelSetOptions = {
  vocabularySize: 1024,
  targetBlocks: 8,
  targetFeedForward: 3072,
  copyTargetBlocks: 6,
  copyTargetFeedForward: 2048,
  loraRank: 16,
};

export interface TinyModelSetManifest {
  version: number;
  options: TinyModelSetOptions;
  corpora: Record<keyof TinyModelSetCorpora, { name: string; files: number; bytes: number; sha256: string }>;
  /** File names inside the set's folder. */
  models: {
    draft: string;
    target: string;
    embedding: string;
    fineTunes: Record<string, string>;
    /** The same bigrams with in-context copying compiled in (see copyCircuit.ts). */
    copyDraft: string;
    copyTarget: string;
  };
  adapters: Record<string, { file: string; rank: number; energyKept: number }>;
  shapes: {
    draft: LlamaShape;
    target: LlamaShape;
    embedding: LlamaShape;
    copyDraft: LlamaShape;
    copyTarget: LlamaShape;
  };
  vocabularySize: number;
}

const layerNoise = 1e-3;

/**
 * Builds the project's own models into `outDir`: a shared byte-level BPE vocabulary learned from code,
 * a cheap draft and an expensive target that predict alike but not identically, LoRA adapters and
 * fine-tunes of the target that shift it towards Python or C++, and a TF-IDF embedding model.
 * Deterministic: the same corpora and options give byte-identical files.
 */
export async function buildTinyModelSet(
  outDir: string,
  corpora: TinyModelSetCorpora,
  options: TinyModelSetOptions = defaultTinyModelSetOptions,
): Promise<TinyModelSetManifest> {
  await mkdir(outDir, { recursive: true });
  const vocabulary = learnVocabulary(
    [...corpora.code.files, ...corpora.python.files, ...corpora.cpp.files].map((file) => file.text),
    options.vocabularySize,
  );
  const sequences = {
    code: encodeFiles(vocabulary, corpora.code),
    python: encodeFiles(vocabulary, corpora.python),
    cpp: encodeFiles(vocabulary, corpora.cpp),
  };
  const counts = (groups: number[][][], filter: (index: number) => boolean = () => true): BigramCounts => {
    const bigrams = new BigramCounts(vocabulary.size);
    for (const group of groups) group.forEach((ids, index) => filter(index) && bigrams.addSequence(ids));
    startEveryControlTokenLikeAFile(bigrams, vocabulary);
    return bigrams;
  };
  const predictable = (id: number): boolean =>
    !vocabulary.isSpecial(id) || id === vocabulary.special.endOfText;
  const logits = (bigrams: BigramCounts, smoothing: number): Float32Array =>
    logProbabilities(bigrams, { smoothing, predictable });

  const n = vocabulary.size;
  const shapes = {
    draft: shape(n, 1, 256),
    target: shape(n, options.targetBlocks, options.targetFeedForward),
    embedding: shape(n, 1, 256),
    copyDraft: copyShape(n, 2, 256),
    copyTarget: copyShape(n, options.copyTargetBlocks, options.copyTargetFeedForward),
  };
  const common = { vocabulary, layerWeightType: GgmlType.F32 } as const;

  // The draft saw three quarters of the target's corpus and smooths ten times more, so it agrees with
  // the target on frequent continuations and differs on rarer ones: speculation wins and gets refuted.
  const targetLogits = logits(counts([sequences.code]), 0.1);
  const target: TinyModelRecipe = {
    ...common,
    name: "coop-fixture-target",
    description: "Bigram code model compiled into an expensive llama network (Coop test fixture).",
    shape: shapes.target,
    nextTokenLogits: targetLogits,
    layerWeightType: GgmlType.Q8_0,
    noise: { seed: 2, scale: layerNoise },
  };
  await writeTinyModel(join(outDir, "target.gguf"), target);
  const draftLogits = logits(
    counts([sequences.code], (index) => index % 4 !== 3),
    1,
  );
  await writeTinyModel(join(outDir, "draft.gguf"), {
    ...common,
    name: "coop-fixture-draft",
    description:
      "Bigram code model from most of the target's corpus, smoothed more, in a one-block llama network (Coop test fixture).",
    shape: shapes.draft,
    nextTokenLogits: draftLogits,
    noise: { seed: 1, scale: layerNoise },
  });
  await writeTinyModel(join(outDir, "target-copy.gguf"), {
    ...target,
    name: "coop-fixture-target-copy",
    description:
      "The fixture target's bigrams with compiled copy heads: it continues what followed the last three tokens earlier in the prompt (Coop test fixture).",
    shape: shapes.copyTarget,
    copy: copyCircuit(shapes.copyTarget, vocabulary),
  });
  await writeTinyModel(join(outDir, "draft-copy.gguf"), {
    ...common,
    name: "coop-fixture-draft-copy",
    description:
      "The fixture draft's bigrams with the copy heads in a two-block network (Coop test fixture).",
    shape: shapes.copyDraft,
    nextTokenLogits: draftLogits,
    layerWeightType: GgmlType.Q8_0,
    noise: { seed: 1, scale: layerNoise },
    copy: copyCircuit(shapes.copyDraft, vocabulary),
  });

  const adapters: TinyModelSetManifest["adapters"] = {};
  const fineTunes: Record<string, string> = {};
  for (const [language, seed] of [
    ["python", 11],
    ["cpp", 12],
  ] as const) {
    const shifted = logits(counts([sequences.code, sequences[language], sequences[language]]), 0.1);
    const delta = new Float32Array(shifted.length);
    for (let i = 0; i < delta.length; i++) delta[i] = shifted[i]! - targetLogits[i]!;
    const { pair, energyKept } = lowRankOutputDelta(delta, n, n, options.loraRank, seed);
    const file = `lora-${language}.gguf`;
    await writeLoraAdapter(join(outDir, file), {
      name: `coop-fixture-lora-${language}`,
      description: `Shifts the fixture target towards ${language} (rank ${pair.rank}).`,
      architecture: "llama",
      alpha: pair.rank,
      pairs: [pair],
    });
    adapters[language] = { file, rank: pair.rank, energyKept };

    fineTunes[language] = `target-ft-${language}.gguf`;
    await writeTinyModel(join(outDir, fineTunes[language]), {
      ...target,
      name: `coop-fixture-target-ft-${language}`,
      description: `The fixture target fine-tuned towards ${language}: its output and every layer moved by a task vector.`,
      nextTokenLogits: shifted,
      taskNoise: { seed, scale: layerNoise / 2 },
    });
  }

  await writeTinyModel(join(outDir, "embedding.gguf"), {
    ...common,
    name: "coop-fixture-embedding",
    description: "TF-IDF over the code vocabulary as a mean-pooled llama network (Coop test fixture).",
    shape: shapes.embedding,
    nextTokenLogits: new Float32Array(n * n),
    noise: { seed: 3, scale: layerNoise },
    outputNorm: inverseDocumentFrequencyNorm(vocabulary, [
      ...sequences.code,
      ...sequences.python,
      ...sequences.cpp,
    ]),
    pooling: "mean",
  });

  const manifest: TinyModelSetManifest = {
    version: tinyModelSetVersion,
    options,
    corpora: {
      code: describeCorpus(corpora.code),
      python: describeCorpus(corpora.python),
      cpp: describeCorpus(corpora.cpp),
    },
    models: {
      draft: "draft.gguf",
      target: "target.gguf",
      embedding: "embedding.gguf",
      fineTunes,
      copyDraft: "draft-copy.gguf",
      copyTarget: "target-copy.gguf",
    },
    adapters,
    shapes,
    vocabularySize: n,
  };
  await writeFile(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

function shape(vocabularySize: number, blockCount: number, feedForwardLength: number): LlamaShape {
  return {
    vocabularySize,
    embeddingLength: vocabularySize,
    blockCount,
    feedForwardLength,
    headCount: 16,
    headCountKv: 4,
    contextLength: 4096,
  };
}

/**
 * Wider than the bigram's shape, to hold the copy circuit's codes beside the one-hot token: 256-wide heads
 * (see copyCircuit.ts), and two KV groups, the copy heads needing one.
 */
function copyShape(vocabularySize: number, blockCount: number, feedForwardLength: number): LlamaShape {
  const embeddingLength = vocabularySize + 512;
  const headDim = 256;
  return {
    vocabularySize,
    embeddingLength,
    blockCount,
    feedForwardLength,
    headCount: embeddingLength / headDim,
    headCountKv: 2,
    contextLength: 4096,
  };
}

/**
 * Each file is one sequence that starts and ends with end-of-text, so the model learns how files start and
 * end.
 */
function encodeFiles(vocabulary: Vocabulary, corpus: Corpus): number[][] {
  const boundary = vocabulary.special.endOfText;
  return corpus.files.map((file) => [boundary, ...vocabulary.tokenizer.encode(file.text), boundary]);
}

/** After a control token (FIM middle, a file separator, …) text starts as a file does. */
function startEveryControlTokenLikeAFile(bigrams: BigramCounts, vocabulary: Vocabulary): void {
  const start = vocabulary.special.endOfText;
  const size = bigrams.size;
  for (const id of Object.values(vocabulary.special)) {
    if (id === start) continue;
    bigrams.counts.copyWithin(id * size, start * size, start * size + size);
  }
}

/**
 * output_norm weights for the embedding model: with one-hot residuals, the mean-pooled output is the
 * token histogram scaled per dimension, so weighting dimension t by idf(t) makes it a TF-IDF vector.
 */
function inverseDocumentFrequencyNorm(vocabulary: Vocabulary, documents: number[][]): Float32Array {
  const documentFrequency = new Float64Array(vocabulary.size);
  for (const ids of documents) for (const id of new Set(ids)) documentFrequency[id]!++;
  const norm = new Float32Array(vocabulary.size);
  const scale = 1 / Math.sqrt(vocabulary.size);
  for (let id = 0; id < vocabulary.size; id++) {
    norm[id] = vocabulary.isSpecial(id)
      ? 0
      : scale * Math.log((documents.length + 1) / (documentFrequency[id]! + 1));
  }
  return norm;
}

function describeCorpus(corpus: Corpus): TinyModelSetManifest["corpora"]["code"] {
  return { name: corpus.name, files: corpus.files.length, bytes: corpus.bytes, sha256: corpus.sha256 };
}
