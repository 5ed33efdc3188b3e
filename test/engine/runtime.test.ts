import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gguf } from "../../engine/gguf/index.js";
import {
  LlamaRuntime,
  ModelFileError,
  ModelLoadError,
  ModelTooLargeError,
  validateModelFile,
} from "../../engine/runtime/index.js";
import { fixtures, type Fixtures } from "../support/fixtures.js";
import { copyGgufWithEdits } from "../support/ggufEdit.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let set: Fixtures;
let dir: string;

before(async () => {
  set = await fixtures();
  dir = await mkdtemp(join(tmpdir(), "coop-runtime-"));
});

after(async () => {
  await disposeTestRuntime();
  await rm(dir, { recursive: true, force: true });
});

describe("validation before llama.cpp sees a file", () => {
  // Each of these keys, when missing, makes llama.cpp (node-llama-cpp 3.22.1) abort the whole process.
  for (const key of [
    "llama.feed_forward_length",
    "llama.attention.head_count",
    "llama.context_length",
    "llama.embedding_length",
    "llama.block_count",
    "llama.attention.layer_norm_rms_epsilon",
    "tokenizer.ggml.model",
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.merges",
  ]) {
    test(`a model without ${key} is refused with a message naming it, and the process lives on`, async () => {
      const broken = join(dir, `no-${key}.gguf`);
      await copyGgufWithEdits(set.draft, broken, { dropKeys: [key] });
      const runtime = await testRuntime();
      await assert.rejects(runtime.loadModel(broken), (error: unknown) => {
        assert.ok(error instanceof ModelFileError, String(error));
        assert.match(error.message, new RegExp(`${key.replaceAll(".", "\\.")} is missing`));
        assert.match(error.message, /no-.*\.gguf cannot be loaded/);
        return true;
      });
    });
  }

  test("head counts that do not divide the embedding are refused", async () => {
    const broken = join(dir, "bad-heads.gguf");
    await copyGgufWithEdits(set.draft, broken, {
      setMetadata: { "llama.attention.head_count": gguf.u32(7) },
    });
    await assert.rejects(validateModelFile(broken), /not a multiple of attention\.head_count 7/);
  });

  test("a special token id outside the vocabulary is refused", async () => {
    const broken = join(dir, "bad-eos.gguf");
    await copyGgufWithEdits(set.draft, broken, {
      setMetadata: { "tokenizer.ggml.eos_token_id": gguf.u32(999_999) },
    });
    await assert.rejects(validateModelFile(broken), /eos_token_id is 999999, outside the \d+ tokens/);
  });

  test("a truncated download is refused with where it ends, never loaded", async () => {
    const truncated = join(dir, "truncated.gguf");
    await copyFile(set.draft, truncated);
    const { size } = await stat(truncated);
    for (const length of [0, 3, 100, 5_000, Math.floor(size / 2), size - 1]) {
      await truncate(truncated, length);
      await assert.rejects((await testRuntime()).loadModel(truncated), (error: unknown) => {
        assert.ok(error instanceof ModelFileError, `${length}: ${String(error)}`);
        assert.match(error.message, /truncated\.gguf cannot be loaded: .*\S/);
        return true;
      });
    }
  });

  test("an adapter is not loaded as a model, and a model is not applied as an adapter", async () => {
    const runtime = await testRuntime();
    await assert.rejects(runtime.loadModel(set.adapters.python!), /it is a adapter, not a model|not a model/);
    const { model } = await runtime.loadModel(set.draft);
    try {
      await assert.rejects(
        runtime.createContext(model, { lora: { adapters: [{ filePath: set.draft }] } }),
        /not a LoRA adapter/,
      );
    } finally {
      await model.dispose();
    }
  });
});

describe("loading through node-llama-cpp", () => {
  test("a file that passes validation but that llama.cpp rejects reports llama.cpp's own reason", async () => {
    const broken = join(dir, "wrong-shape.gguf");
    const embedding = set.manifest.shapes.draft.embeddingLength;
    // The same bytes declared with another shape: the header is sound, llama.cpp refuses the tensor.
    await copyGgufWithEdits(set.draft, broken, {
      tensorDims: { "output.weight": [embedding / 2, set.manifest.vocabularySize * 2] },
    });
    await validateModelFile(broken);
    await assert.rejects((await testRuntime()).loadModel(broken), (error: unknown) => {
      assert.ok(error instanceof ModelLoadError, String(error));
      assert.match(
        error.message,
        /output\.weight/,
        "the message carries what llama.cpp said about the tensor",
      );
      return true;
    });
  });

  test("models load on the CPU with the runtime's thread count and are disposed with it", async () => {
    const runtime = await testRuntime();
    assert.equal(runtime.gpu, false);
    assert.ok(runtime.threads >= 1);
    const { model, onGpu, summary } = await runtime.loadModel(set.target);
    assert.equal(onGpu, false);
    assert.equal(summary.blockCount, set.manifest.shapes.target.blockCount);
    const context = await runtime.createContext(model, { contextSize: 256 });
    assert.equal(context.disposed, false);
    await context.dispose();
    await model.dispose();
    assert.equal(model.disposed, true);
  });
});

describe("validation of metadata types", () => {
  test("a count stored as a string is refused as clearly as a missing one", async () => {
    const broken = join(dir, "string-blocks.gguf");
    await copyGgufWithEdits(set.draft, broken, { setMetadata: { "llama.block_count": gguf.str("one") } });
    await assert.rejects(validateModelFile(broken), (error: unknown) => {
      assert.ok(error instanceof ModelFileError, String(error));
      assert.match(error.message, /block_count/);
      return true;
    });
  });
});

describe("the memory guard", () => {
  test("a model that cannot fit is refused before loading, with the sizes named", async () => {
    const tight = await LlamaRuntime.create({ gpu: "cpu", memoryBudgetBytes: 50 * 2 ** 20 });
    try {
      await assert.rejects(tight.loadModel(set.target), (error: unknown) => {
        assert.ok(error instanceof ModelTooLargeError, String(error));
        assert.ok(error.neededBytes > 50 * 2 ** 20);
        assert.match(
          error.message,
          /target\.gguf needs about \d+\.\d MiB of memory, but only 50\.0 MiB is available/,
        );
        return true;
      });
      const { model } = await tight.loadModel(set.draft);
      await model.dispose();
    } finally {
      await tight.dispose();
    }
  });
});
