import assert from "node:assert/strict";
import { existsSync, lstatSync } from "node:fs";
import { link, mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { GgmlType, gguf, writeGguf } from "../../engine/gguf/index.js";
import {
  MERGE_OUTPUT_TYPES,
  MergeError,
  mergeModels,
  readMergeRecipe,
  type MergeJob,
} from "../../engine/merge/index.js";
import { JsonShapeError } from "../../engine/catalog/index.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

const COLS = 256;
const ROWS = 16;

async function writeModel(path: string, seed: number, poison?: { at: number; value: number }): Promise<void> {
  const matrix = seededFloats(COLS * ROWS, seed, 1);
  if (poison) matrix[poison.at] = poison.value;
  await writeGguf(path, {
    metadata: {
      "general.architecture": gguf.str("llama"),
      "general.type": gguf.str("model"),
      "tokenizer.ggml.model": gguf.str("gpt2"),
      "tokenizer.ggml.tokens": gguf.strings(["a", "b"]),
    },
    tensors: [
      { name: "output_norm.weight", dims: [COLS], type: GgmlType.F32, data: seededFloats(COLS, seed + 1, 1) },
      { name: "blk.0.attn_q.weight", dims: [COLS, ROWS], type: GgmlType.F32, data: matrix },
    ],
  });
}

async function writeAdapter(path: string, poisonA?: number): Promise<void> {
  const a = seededFloats(COLS * 2, 7, 0.5);
  if (poisonA !== undefined) a[poisonA] = Number.NaN;
  await writeGguf(path, {
    metadata: {
      "general.architecture": gguf.str("llama"),
      "general.type": gguf.str("adapter"),
      "adapter.type": gguf.str("lora"),
      "adapter.lora.alpha": gguf.f32(2),
    },
    tensors: [
      { name: "blk.0.attn_q.weight.lora_a", dims: [COLS, 2], type: GgmlType.F32, data: a },
      {
        name: "blk.0.attn_q.weight.lora_b",
        dims: [2, ROWS],
        type: GgmlType.F32,
        data: seededFloats(ROWS * 2, 8),
      },
    ],
  });
}

describe("the output may not be an input by another name", () => {
  test("a symlink to an input, a path through a symlinked folder, and a hard link are refused; the input is untouched", () =>
    withTempDir(async (dir) => {
      const [a, b] = [join(dir, "a.gguf"), join(dir, "b.gguf")];
      await writeModel(a, 1);
      await writeModel(b, 2);
      const before = await readFile(a);
      await symlink(a, join(dir, "link.gguf"));
      await symlink(dir, join(dir, "alias"));
      await link(a, join(dir, "hard.gguf"));
      const job = (output: string): MergeJob => ({
        method: "linear",
        inputs: [
          { path: a, weight: 1 },
          { path: b, weight: 1 },
        ],
        output: { kind: "model", path: output, type: "F32" },
      });
      for (const output of [join(dir, "link.gguf"), join(dir, "alias", "a.gguf"), join(dir, "hard.gguf")]) {
        await assert.rejects(
          mergeModels(job(output)),
          (e: unknown) =>
            e instanceof MergeError &&
            e.message.includes(`the output ${output} is the input ${a}`) &&
            /through a symbolic or hard link\); write it elsewhere/.test(e.message),
          output,
        );
      }
      await assert.rejects(mergeModels(job(a)), /the output .*a\.gguf is also an input/);
      assert.ok(lstatSync(join(dir, "link.gguf")).isSymbolicLink(), "the link is still a link");
      assert.ok((await readFile(a)).equals(before), "the input is unchanged");
      // A symlink to somewhere else is an ordinary output path.
      await symlink(join(dir, "elsewhere.gguf"), join(dir, "other-link.gguf"));
      await mergeModels(job(join(dir, "other-link.gguf")));
    }));
});

describe("NaN and infinity in an input are refused with the tensor and the element", () => {
  const poisons = [
    { at: 3000, value: Number.NaN, shown: "NaN" },
    { at: 17, value: Number.POSITIVE_INFINITY, shown: "Infinity" },
  ];

  for (const type of MERGE_OUTPUT_TYPES) {
    test(`for ${type} output, streamed (ties, row blocks) and whole (slerp), in an input or the base`, () =>
      withTempDir(async (dir) => {
        await writeModel(join(dir, "base.gguf"), 1);
        await writeModel(join(dir, "good.gguf"), 2);
        for (const [p, { at, value, shown }] of poisons.entries()) {
          const bad = join(dir, `bad-${p}.gguf`);
          await writeModel(bad, 3, { at, value });
          const jobs: [MergeJob, string][] = [
            [
              {
                method: "ties",
                base: join(dir, "base.gguf"),
                inputs: [
                  { path: join(dir, "good.gguf"), weight: 1, density: 0.5 },
                  { path: bad, weight: 1, density: 0.5 },
                ],
                blockElements: 1024,
                output: { kind: "model", path: join(dir, "out.gguf"), type },
              },
              `bad-${p}.gguf`,
            ],
            [
              {
                method: "slerp",
                inputs: [
                  { path: join(dir, "good.gguf"), weight: 1 },
                  { path: bad, weight: 1 },
                ],
                params: { t: 0.5 },
                output: { kind: "model", path: join(dir, "out.gguf"), type },
              },
              `bad-${p}.gguf`,
            ],
            [
              {
                method: "task_arithmetic",
                base: bad,
                inputs: [{ path: join(dir, "good.gguf"), weight: 1 }],
                blockElements: 1024,
                output: { kind: "model", path: join(dir, "out.gguf"), type },
              },
              `bad-${p}.gguf`,
            ],
          ];
          for (const [job, file] of jobs) {
            await assert.rejects(
              mergeModels(job),
              (e: unknown) =>
                e instanceof MergeError &&
                e.message.startsWith(
                  `merge input ${file}: tensor 'blk.0.attn_q.weight' holds ${shown} at element ${at}; a merge needs finite values`,
                ),
              `${job.method} ${shown}`,
            );
          }
        }
        assert.deepEqual(
          (await readdir(dir)).filter((name) => name.startsWith("out") || name.includes("partial")),
          [],
          "no output and no partial file",
        );
      }));
  }

  test("in a LoRA adapter's factors, naming the adapter tensor", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "base.gguf"), 1);
      await writeAdapter(join(dir, "good.gguf"));
      await writeAdapter(join(dir, "bad.gguf"), 300);
      await assert.rejects(
        mergeModels({
          method: "linear",
          base: join(dir, "base.gguf"),
          inputs: [
            { path: join(dir, "good.gguf"), weight: 1 },
            { path: join(dir, "bad.gguf"), weight: 1 },
          ],
          output: { kind: "model", path: join(dir, "out.gguf"), type: "F16" },
        }),
        /merge input bad\.gguf: tensor 'blk\.0\.attn_q\.weight\.lora_a' holds NaN at element 300/,
      );
      assert.ok(!existsSync(join(dir, "out.gguf")));
    }));
});

describe("numbers JSON cannot hold", () => {
  test("1e999 as a weight is reported as not a finite number, not as null", () =>
    withTempDir(async (dir) => {
      await mkdir(join(dir, "r"));
      const file = join(dir, "r", "recipe.json");
      await writeFile(file, '{"method": "linear", "inputs": [{"path": "a.gguf", "weight": 1e999}]}');
      await assert.rejects(
        readMergeRecipe(file),
        (e: unknown) =>
          e instanceof JsonShapeError &&
          /\$\.inputs\[0\]\.weight: expected a number, got Infinity \(not a finite number\)$/.test(e.message),
      );
      await writeFile(file, '{"method": "linear", "inputs": [{"path": "a.gguf", "weight": -1e999}]}');
      await assert.rejects(readMergeRecipe(file), /got -Infinity \(not a finite number\)/);
    }));
});
