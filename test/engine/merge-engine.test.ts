import assert from "node:assert/strict";
import { readdirSync, truncateSync } from "node:fs";
import { readdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { GgmlType, gguf, openGguf, writeGguf, type GgufTensorData } from "../../engine/gguf/index.js";
import {
  MergeCancelledError,
  MergeError,
  mergeModels,
  PROVENANCE_KEY,
  readMergeRecipe,
  type MergeProgress,
} from "../../engine/merge/index.js";
import { JsonShapeError } from "../../engine/catalog/index.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

const ROWS = 64;
const COLS = 96;

interface ModelSpec {
  arch?: string;
  seed: number;
  /** Shape of blk.0.ffn_up.weight (ggml order). */
  upDims?: number[];
  tokens?: string[];
  upType?: GgmlType;
}

/** A small model-like GGUF: a norm, a matrix, and a second matrix whose shape a test can change. */
async function writeModel(path: string, spec: ModelSpec): Promise<void> {
  const upDims = spec.upDims ?? [COLS, ROWS];
  const tensors: GgufTensorData[] = [
    {
      name: "blk.0.attn_norm.weight",
      dims: [COLS],
      type: GgmlType.F32,
      data: seededFloats(COLS, spec.seed, 1),
    },
    {
      name: "blk.0.attn_q.weight",
      dims: [COLS, ROWS],
      type: GgmlType.F16,
      data: seededFloats(COLS * ROWS, spec.seed + 1, 1),
    },
    {
      name: "blk.0.ffn_up.weight",
      dims: upDims,
      type: spec.upType ?? GgmlType.F32,
      data: seededFloats(upDims[0]! * upDims[1]!, spec.seed + 2, 1),
    },
  ];
  await writeGguf(path, {
    metadata: {
      "general.architecture": gguf.str(spec.arch ?? "llama"),
      "general.type": gguf.str("model"),
      "general.name": gguf.str(`model-${spec.seed}`),
      "tokenizer.ggml.model": gguf.str("gpt2"),
      "tokenizer.ggml.tokens": gguf.strings(spec.tokens ?? ["a", "b", "c"]),
    },
    tensors,
  });
}

async function writeAdapter(
  path: string,
  seed: number,
  rank: number,
  alpha: number,
  arch = "llama",
): Promise<void> {
  await writeGguf(path, {
    metadata: {
      "general.architecture": gguf.str(arch),
      "general.type": gguf.str("adapter"),
      "general.name": gguf.str(`adapter-${seed}`),
      "adapter.type": gguf.str("lora"),
      "adapter.lora.alpha": gguf.f32(alpha),
    },
    tensors: [
      {
        name: "blk.0.attn_q.weight.lora_a",
        dims: [COLS, rank],
        type: GgmlType.F32,
        data: seededFloats(COLS * rank, seed, 0.5),
      },
      {
        name: "blk.0.attn_q.weight.lora_b",
        dims: [rank, ROWS],
        type: GgmlType.F32,
        data: seededFloats(rank * ROWS, seed + 1, 0.5),
      },
    ],
  });
}

/** (alpha / rank) · B·A, computed the plain way. */
function loraDelta(seed: number, rank: number, alpha: number): Float64Array {
  const a = seededFloats(COLS * rank, seed, 0.5);
  const b = seededFloats(rank * ROWS, seed + 1, 0.5);
  const delta = new Float64Array(ROWS * COLS);
  for (let o = 0; o < ROWS; o++)
    for (let j = 0; j < COLS; j++) {
      let sum = 0;
      for (let k = 0; k < rank; k++) sum += b[o * rank + k]! * a[k * COLS + j]!;
      delta[o * COLS + j] = (alpha / rank) * sum;
    }
  return delta;
}

async function readAll(path: string, name: string): Promise<Float32Array> {
  const file = await openGguf(path);
  try {
    return await file.readTensor(name);
  } finally {
    await file.close();
  }
}

function assertNear(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= tolerance, `${what}: largest difference ${worst} > ${tolerance}`);
}

async function dataEnd(path: string): Promise<number> {
  const file = await openGguf(path);
  const last = file.tensors.at(-1)!;
  await file.close();
  return file.dataOffset + last.offset + last.byteSize;
}

const onlyFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

describe("merging full models", () => {
  test("a weighted linear merge writes Σwᵢxᵢ/Σwᵢ per tensor, keeps norms F32, copies metadata and adds the provenance", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "a.gguf"), { seed: 1 });
      await writeModel(join(dir, "b.gguf"), { seed: 10 });
      const progress: MergeProgress[] = [];
      const summary = await mergeModels({
        method: "linear",
        inputs: [
          { path: join(dir, "a.gguf"), weight: 3 },
          { path: join(dir, "b.gguf"), weight: 1 },
        ],
        output: { kind: "model", path: join(dir, "out.gguf"), type: "F16" },
        name: "merged",
        onProgress: (p) => progress.push(p),
      });
      assert.equal(summary.tensors, 3);
      const out = await openGguf(join(dir, "out.gguf"));
      try {
        assert.equal(out.get("general.name"), "merged");
        assert.equal(out.get("general.architecture"), "llama");
        assert.deepEqual(out.get("tokenizer.ggml.tokens"), ["a", "b", "c"]);
        assert.equal((JSON.parse(String(out.get(PROVENANCE_KEY))) as { method?: unknown }).method, "linear");
        assert.equal(out.tensor("blk.0.attn_norm.weight")!.type, GgmlType.F32);
        assert.equal(out.tensor("blk.0.ffn_up.weight")!.type, GgmlType.F16);
        for (const [name, seedOffset] of [
          ["blk.0.attn_norm.weight", 0],
          ["blk.0.ffn_up.weight", 2],
        ] as const) {
          const a = seededFloats(out.tensor(name)!.elementCount, 1 + seedOffset, 1);
          const b = seededFloats(out.tensor(name)!.elementCount, 10 + seedOffset, 1);
          const expected = a.map((x, i) => (3 * x + b[i]!) / 4);
          assertNear(await out.readTensor(name), expected, name.includes("norm") ? 1e-6 : 1e-3, name);
        }
      } finally {
        await out.close();
      }
      const last = progress.at(-1)!;
      assert.equal(last.tensorsDone, 3);
      assert.equal(last.bytesWritten, last.bytesTotal);
      assert.deepEqual(await onlyFiles(dir), ["a.gguf", "b.gguf", "out.gguf"]);
    }));

  test("task arithmetic over a Q8_0 output stays within Q8_0 rounding of base + Σ(xᵢ − base)", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "base.gguf"), { seed: 1 });
      await writeModel(join(dir, "a.gguf"), { seed: 2 });
      await writeModel(join(dir, "b.gguf"), { seed: 3 });
      await mergeModels({
        method: "task_arithmetic",
        base: join(dir, "base.gguf"),
        inputs: [
          { path: join(dir, "a.gguf"), weight: 0.5 },
          { path: join(dir, "b.gguf"), weight: 0.25 },
        ],
        output: { kind: "model", path: join(dir, "out.gguf"), type: "Q8_0" },
      });
      const n = COLS * ROWS;
      const [base, a, b] = [1, 2, 3].map((seed) => seededFloats(n, seed + 2, 1));
      const expected = base!.map((x, i) => x + 0.5 * (a![i]! - x) + 0.25 * (b![i]! - x));
      // Q8_0 keeps each 32-value block to 1/127 of its largest magnitude (at most ~2 here).
      assertNear(
        await readAll(join(dir, "out.gguf"), "blk.0.ffn_up.weight"),
        expected,
        2 / 127 / 2 + 1e-3,
        "ffn_up",
      );
    }));

  test("mismatched shapes, architectures or tokenizers are refused before any file is created", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "base.gguf"), { seed: 1 });
      await writeModel(join(dir, "wide.gguf"), { seed: 2, upDims: [COLS, ROWS * 2] });
      await writeModel(join(dir, "qwen.gguf"), { seed: 3, arch: "qwen2" });
      await writeModel(join(dir, "tokens.gguf"), { seed: 4, tokens: ["a", "b", "d"] });
      const attempt = (input: string) =>
        mergeModels({
          method: "ties",
          base: join(dir, "base.gguf"),
          inputs: [
            { path: join(dir, "base.gguf"), weight: 1 },
            { path: join(dir, input), weight: 1 },
          ],
          output: { kind: "model", path: join(dir, "out.gguf"), type: "F16" },
        });
      await assert.rejects(
        attempt("wide.gguf"),
        (e: unknown) =>
          e instanceof MergeError &&
          /shape mismatch for tensor 'blk\.0\.ffn_up\.weight': \[96, 128\]/.test(e.message),
      );
      await assert.rejects(
        attempt("qwen.gguf"),
        (e: unknown) => e instanceof MergeError && /architecture mismatch.*'qwen2'/.test(e.message),
      );
      await assert.rejects(
        attempt("tokens.gguf"),
        (e: unknown) => e instanceof MergeError && /tokenizer mismatch/.test(e.message),
      );
      assert.deepEqual(await onlyFiles(dir), ["base.gguf", "qwen.gguf", "tokens.gguf", "wide.gguf"]);
    }));

  test("an input whose data is cut short is refused at open, naming the file, and nothing is written", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "a.gguf"), { seed: 1 });
      await writeModel(join(dir, "b.gguf"), { seed: 2 });
      await truncate(join(dir, "b.gguf"), (await dataEnd(join(dir, "b.gguf"))) - 100);
      await assert.rejects(
        mergeModels({
          method: "linear",
          inputs: [
            { path: join(dir, "a.gguf"), weight: 1 },
            { path: join(dir, "b.gguf"), weight: 1 },
          ],
          output: { kind: "model", path: join(dir, "out.gguf"), type: "F32" },
        }),
        (e: unknown) =>
          e instanceof MergeError &&
          /b\.gguf is not a valid GGUF file: .*past the end of the file/.test(e.message),
      );
      assert.deepEqual(await onlyFiles(dir), ["a.gguf", "b.gguf"]);
    }));

  for (const blockElements of [undefined, 500]) {
    test(`an input that breaks in the middle of the merge leaves no output file, not even a partial one (${blockElements ? "row blocks" : "whole tensors"})`, () =>
      withTempDir(async (dir) => {
        await writeModel(join(dir, "a.gguf"), { seed: 1 });
        await writeModel(join(dir, "b.gguf"), { seed: 2 });
        const cut = (await dataEnd(join(dir, "b.gguf"))) - 100;
        let partialSeen = false;
        await assert.rejects(
          mergeModels({
            method: "linear",
            inputs: [
              { path: join(dir, "a.gguf"), weight: 1 },
              { path: join(dir, "b.gguf"), weight: 1 },
            ],
            output: { kind: "model", path: join(dir, "out.gguf"), type: "F32" },
            blockElements,
            onProgress: (p) => {
              if (p.tensorsDone !== 1) return;
              partialSeen = readdirSync(dir).some((name) => name.endsWith(".partial"));
              truncateSync(join(dir, "b.gguf"), cut);
            },
          }),
          /truncated after opening/,
        );
        assert.ok(partialSeen, "the output was being written to a temp file");
        assert.deepEqual(await onlyFiles(dir), ["a.gguf", "b.gguf"]);
      }));
  }

  test("method arguments the method cannot use are refused before any file is opened", async () => {
    const missing = "/nonexistent/a.gguf";
    await assert.rejects(
      mergeModels({
        method: "slerp",
        inputs: [
          { path: missing, weight: 1 },
          { path: missing, weight: 1 },
        ],
        output: { kind: "model", path: "/nonexistent/out.gguf", type: "F16" },
      }),
      (e: unknown) =>
        e instanceof MergeError && /slerp: params\.t: slerp needs the interpolation factor t/.test(e.message),
    );
    await assert.rejects(
      mergeModels({
        method: "linear",
        inputs: [
          { path: missing, weight: 1 },
          { path: missing, weight: -1 },
        ],
        output: { kind: "model", path: "/nonexistent/out.gguf", type: "F16" },
      }),
      /weights sum to zero/,
    );
  });

  test("a file that is not GGUF is named in the error and nothing is written", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "a.gguf"), { seed: 1 });
      await writeFile(join(dir, "junk.gguf"), "this is not a model");
      await assert.rejects(
        mergeModels({
          method: "linear",
          inputs: [
            { path: join(dir, "a.gguf"), weight: 1 },
            { path: join(dir, "junk.gguf"), weight: 1 },
          ],
          output: { kind: "model", path: join(dir, "out.gguf"), type: "F32" },
        }),
        (e: unknown) => e instanceof MergeError && /junk\.gguf is not a valid GGUF file/.test(e.message),
      );
      assert.deepEqual(await onlyFiles(dir), ["a.gguf", "junk.gguf"]);
    }));

  for (const blockElements of [undefined, 500]) {
    test(`cancelling through the AbortSignal stops the merge and leaves no output file (${blockElements ? "within a tensor" : "between tensors"})`, () =>
      withTempDir(async (dir) => {
        await writeModel(join(dir, "a.gguf"), { seed: 1 });
        await writeModel(join(dir, "b.gguf"), { seed: 2 });
        const controller = new AbortController();
        let lastProgress: MergeProgress | undefined;
        await assert.rejects(
          mergeModels({
            method: "linear",
            inputs: [
              { path: join(dir, "a.gguf"), weight: 1 },
              { path: join(dir, "b.gguf"), weight: 1 },
            ],
            output: { kind: "model", path: join(dir, "out.gguf"), type: "F32" },
            blockElements,
            signal: controller.signal,
            onProgress: (p) => {
              lastProgress = p;
              if (p.tensor === "blk.0.attn_q.weight") controller.abort();
            },
          }),
          MergeCancelledError,
        );
        assert.ok(lastProgress!.bytesWritten < lastProgress!.bytesTotal);
        assert.deepEqual(await onlyFiles(dir), ["a.gguf", "b.gguf"]);
      }));
  }

  test("elementwise methods merged row block by row block write exactly what whole-tensor merging writes", () =>
    withTempDir(async (dir) => {
      for (const seed of [1, 2, 3])
        await writeModel(join(dir, `${seed}.gguf`), { seed, upType: GgmlType.Q8_0 });
      const merge = (name: string, blockElements: number | undefined) =>
        mergeModels({
          method: "task_arithmetic",
          base: join(dir, "1.gguf"),
          inputs: [
            { path: join(dir, "2.gguf"), weight: 0.6 },
            { path: join(dir, "3.gguf"), weight: 0.3 },
          ],
          params: { lambda: 0.9 },
          output: { kind: "model", path: join(dir, name), type: "Q8_0" },
          blockElements,
        });
      await merge("whole.gguf", undefined);
      const progress: number[] = [];
      await mergeModels({
        method: "linear",
        inputs: [{ path: join(dir, "2.gguf"), weight: 1 }],
        output: { kind: "model", path: join(dir, "progress.gguf"), type: "F32" },
        blockElements: 500,
        onProgress: (p) => progress.push(p.bytesWritten),
      });
      assert.ok(progress.length > 10, `progress reported per row block (${progress.length} reports)`);
      await merge("blocks.gguf", 500);
      const whole = await openGguf(join(dir, "whole.gguf"));
      const blocks = await openGguf(join(dir, "blocks.gguf"));
      try {
        for (const tensor of whole.tensors)
          assert.deepEqual(
            await blocks.readTensorBytes(tensor.name),
            await whole.readTensorBytes(tensor.name),
            tensor.name,
          );
      } finally {
        await whole.close();
        await blocks.close();
      }
    }));
});

describe("merging LoRA adapters", () => {
  test("adapters of rank 4 and 6 merge into one rank-10 adapter whose B·A is the weighted sum of their deltas", () =>
    withTempDir(async (dir) => {
      await writeAdapter(join(dir, "p.gguf"), 1, 4, 8);
      await writeAdapter(join(dir, "q.gguf"), 5, 6, 6);
      const summary = await mergeModels({
        method: "linear",
        inputs: [
          { path: join(dir, "p.gguf"), weight: 0.7 },
          { path: join(dir, "q.gguf"), weight: 0.5 },
        ],
        params: { normalize: false },
        output: { kind: "adapter", path: join(dir, "pq.gguf"), rank: 10 },
      });
      assert.ok(summary.energyKept! > 0.999999, `energy kept ${summary.energyKept}`);
      const p = loraDelta(1, 4, 8);
      const q = loraDelta(5, 6, 6);
      const expected = p.map((x, i) => 0.7 * x + 0.5 * q[i]!);
      const out = await openGguf(join(dir, "pq.gguf"));
      try {
        assert.equal(out.get("general.type"), "adapter");
        assert.equal(out.get("adapter.lora.alpha"), 10);
        const a = await out.readTensor("blk.0.attn_q.weight.lora_a");
        const b = await out.readTensor("blk.0.attn_q.weight.lora_b");
        const rebuilt = new Float64Array(ROWS * COLS);
        for (let o = 0; o < ROWS; o++)
          for (let j = 0; j < COLS; j++) {
            let sum = 0;
            for (let k = 0; k < 10; k++) sum += b[o * 10 + k]! * a[k * COLS + j]!;
            rebuilt[o * COLS + j] = sum;
          }
        assertNear(rebuilt, expected, 1e-4, "B·A");
      } finally {
        await out.close();
      }
    }));

  test("a truncated SVD below the merged rank reports the energy it keeps", () =>
    withTempDir(async (dir) => {
      await writeAdapter(join(dir, "p.gguf"), 1, 4, 4);
      await writeAdapter(join(dir, "q.gguf"), 5, 6, 6);
      const summary = await mergeModels({
        method: "linear",
        inputs: [
          { path: join(dir, "p.gguf"), weight: 1 },
          { path: join(dir, "q.gguf"), weight: 1 },
        ],
        output: { kind: "adapter", path: join(dir, "pq.gguf"), rank: 3 },
      });
      assert.ok(summary.energyKept! > 0.3 && summary.energyKept! < 0.99, `energy kept ${summary.energyKept}`);
    }));

  test("adapters written into the base give base + merged delta on the adapted tensor and copy the rest byte for byte", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "base.gguf"), { seed: 1 });
      await writeAdapter(join(dir, "p.gguf"), 1, 4, 8);
      await writeAdapter(join(dir, "q.gguf"), 5, 6, 6);
      await mergeModels({
        method: "ties",
        base: join(dir, "base.gguf"),
        inputs: [
          { path: join(dir, "p.gguf"), weight: 1 },
          { path: join(dir, "q.gguf"), weight: 1 },
        ],
        output: { kind: "model", path: join(dir, "out.gguf"), type: "F32" },
      });
      const base = await openGguf(join(dir, "base.gguf"));
      const out = await openGguf(join(dir, "out.gguf"));
      try {
        assert.deepEqual(
          await out.readTensorBytes("blk.0.ffn_up.weight"),
          await base.readTensorBytes("blk.0.ffn_up.weight"),
        );
        assert.equal(out.tensor("blk.0.attn_q.weight")!.type, GgmlType.F32);
        // TIES with full density and equal weights: where the deltas agree in sign, their mean; otherwise the
        // majority's.
        const p = loraDelta(1, 4, 8);
        const q = loraDelta(5, 6, 6);
        const baseQ = await base.readTensor("blk.0.attn_q.weight");
        const expected = baseQ.map((x, i) => {
          const elected = Math.sign(p[i]! + q[i]!);
          const agreeing = [p[i]!, q[i]!].filter((d) => Math.sign(d) === elected);
          return x + (agreeing.length ? agreeing.reduce((s, d) => s + d, 0) / agreeing.length : 0);
        });
        assertNear(await out.readTensor("blk.0.attn_q.weight"), expected, 1e-4, "attn_q");
      } finally {
        await base.close();
        await out.close();
      }
    }));

  test("an adapter for another architecture or a differently shaped tensor is refused before anything is written", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "base.gguf"), { seed: 1, upDims: [COLS, ROWS] });
      await writeModel(join(dir, "narrow.gguf"), { seed: 1 });
      await writeAdapter(join(dir, "p.gguf"), 1, 4, 8);
      await writeAdapter(join(dir, "qwen.gguf"), 5, 4, 4, "qwen2");
      const attempt = (base: string, adapter: string) =>
        mergeModels({
          method: "linear",
          base: join(dir, base),
          inputs: [
            { path: join(dir, "p.gguf"), weight: 1 },
            { path: join(dir, adapter), weight: 1 },
          ],
          output: { kind: "model", path: join(dir, "out.gguf"), type: "F16" },
        });
      await assert.rejects(
        attempt("base.gguf", "qwen.gguf"),
        /architecture mismatch: adapter .*qwen\.gguf is for 'qwen2'/,
      );
      await assert.rejects(
        mergeModels({
          method: "linear",
          inputs: [
            { path: join(dir, "p.gguf"), weight: 1 },
            { path: join(dir, "base.gguf"), weight: 1 },
          ],
          output: { kind: "model", path: join(dir, "out.gguf"), type: "F16" },
        }),
        /all full models or all LoRA adapters/,
      );
      assert.ok(!(await onlyFiles(dir)).includes("out.gguf"));
    }));
});

describe("merge recipe files", () => {
  test("paths are read relative to the recipe and defaults filled in", () =>
    withTempDir(async (dir) => {
      await writeFile(
        join(dir, "r.json"),
        JSON.stringify({
          method: "dare_ties",
          base: "m/base.gguf",
          inputs: [{ path: "a.gguf", density: 0.5 }],
          seed: 3,
        }),
      );
      const recipe = await readMergeRecipe(join(dir, "r.json"));
      assert.equal(recipe.base, join(dir, "m", "base.gguf"));
      assert.deepEqual(recipe.inputs, [{ path: join(dir, "a.gguf"), weight: 1, density: 0.5 }]);
      assert.deepEqual(recipe.output, { kind: "model", type: "F16" });
      assert.equal(recipe.seed, 3);
    }));

  test("errors name the recipe file and the JSON path", () =>
    withTempDir(async (dir) => {
      const cases: [unknown, RegExp][] = [
        [{ method: "average", inputs: [] }, /\$\.method: expected one of "linear".*got "average"/],
        [
          { method: "ties", inputs: [{ path: "a.gguf", density: 1.5 }] },
          /\$\.inputs\[0\]\.density: expected a number > 0 and <= 1, got 1\.5/,
        ],
        [{ method: "ties", inputs: [{ path: "a.gguf", wieght: 1 }] }, /\$\.inputs\[0\]\.wieght: unknown key/],
        [
          { method: "ties", inputs: [{ path: "a.gguf" }], output: { type: "Q4_K" } },
          /\$\.output\.type: expected one of "F32", "F16", "Q8_0"/,
        ],
      ];
      for (const [json, pattern] of cases) {
        await writeFile(join(dir, "r.json"), JSON.stringify(json));
        await assert.rejects(
          readMergeRecipe(join(dir, "r.json")),
          (e: unknown) =>
            e instanceof JsonShapeError &&
            e.message.startsWith(join(dir, "r.json")) &&
            pattern.test(e.message),
        );
      }
    }));
});
