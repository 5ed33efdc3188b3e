import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeTensor, GgmlType, gguf, openGguf, writeGguf } from "../../engine/gguf/index.js";
import { MergeError, mergeModels } from "../../engine/merge/index.js";
import {
  mergeTensor,
  openTensorMergeStream,
  type MergeMethod,
  type MergeParams,
} from "../../engine/merge/methods/index.js";
import { SliceWorker } from "../../engine/merge/sliceWorker.js";
import { SplitBlockMerger } from "../../engine/merge/splitBlockMerger.js";
import type { TensorStreamSpec } from "../../engine/merge/workerProtocol.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

/** Floats on a coarse grid (multiples of 1/8), so many magnitudes tie with each top-k cut. */
function coarseFloats(count: number, seed: number): Float32Array {
  return seededFloats(count, seed, 1).map((x) => Math.round(x * 8) / 8);
}

/** The F32 encoding of `values` in shared memory, as RowBlockReader hands blocks over. */
function sharedF32(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(new SharedArrayBuffer(values.length * 4));
  bytes.set(encodeTensor(GgmlType.F32, values));
  return bytes;
}

const ELEMENTS = 200_000;
/** Five blocks, each split at 16,384 elements (one slice) between this thread and the worker. */
const BLOCK = 40_000;

interface Case {
  method: MergeMethod;
  densities: (number | undefined)[];
  params: MergeParams;
  /** The TIES or SCE cut's ties run out inside some block, so a worker part is merged again. */
  remerges?: boolean;
}

const CASES: Case[] = [
  { method: "linear", densities: [undefined, undefined, undefined], params: {} },
  { method: "task_arithmetic", densities: [undefined, undefined, undefined], params: { lambda: 0.9 } },
  { method: "ties", densities: [0.3, 0.55, 1], params: {}, remerges: true },
  {
    method: "ties",
    densities: [0.3, 0.6, undefined],
    params: { normalize: false, lambda: 0.7 },
    remerges: true,
  },
  { method: "dare_linear", densities: [0.3, 0.9, 1], params: { lambda: 1.5 } },
  { method: "dare_ties", densities: [0.5, 0.25, 1], params: {} },
  { method: "sce", densities: [undefined, undefined, undefined], params: {} },
  {
    method: "sce",
    densities: [undefined, undefined, undefined],
    params: { selectTopK: 0.4, lambda: 0.8 },
    remerges: true,
  },
];

describe("merges split between this thread and a worker thread", () => {
  let worker: SliceWorker | undefined;
  before(() => {
    worker = SliceWorker.start();
  });
  after(async () => {
    await worker?.close();
  });

  test("every streaming method merges bit for bit as one thread does, two or three inputs", async (t) => {
    if (worker === undefined) return t.skip("one CPU: merges do not start a worker");
    const base = coarseFloats(ELEMENTS, 1);
    const allInputs = [2, 3, 4].map((seed) => coarseFloats(ELEMENTS, seed));
    const weights = [1, 0.6, -0.3];
    for (const inputCount of [2, 3]) {
      for (const { method, densities, params, remerges } of CASES) {
        const what = `${method} ${JSON.stringify(params)} over ${inputCount} inputs`;
        const inputs = allInputs.slice(0, inputCount);
        const hasBase = method !== "linear";
        const streamed = inputs.map((_, i) => ({ weight: weights[i]!, density: densities[i] }));
        const context = { seed: 9, tensorIndex: 2 };
        const spec: TensorStreamSpec = {
          method,
          hasBase,
          inputs: streamed,
          params,
          context,
          elementCount: ELEMENTS,
          inputTypes: inputs.map(() => GgmlType.F32),
          baseType: hasBase ? GgmlType.F32 : undefined,
          outputType: GgmlType.F32,
          names: { tensor: "t", baseFile: "base.gguf", inputFiles: inputs.map((_, i) => `${i}.gguf`) },
        };
        const stream = openTensorMergeStream(method, hasBase, streamed, params, context, ELEMENTS)!;
        const merger = await SplitBlockMerger.open(stream, spec, worker, BLOCK);
        assert.ok(merger.splits, `${what}: blocks are split`);
        const blocks = Array.from({ length: ELEMENTS / BLOCK }, (_, b) => {
          const range = (values: Float32Array): Uint8Array =>
            sharedF32(values.subarray(b * BLOCK, (b + 1) * BLOCK));
          return { inputs: inputs.map(range), base: hasBase ? range(base) : undefined };
        });
        for (let pass = 0; pass < stream.statisticsPasses; pass++) {
          for (const block of blocks) await merger.observeBlock(pass, block, BLOCK);
          await merger.finishPass(pass);
        }
        const output = new Uint8Array(new SharedArrayBuffer(ELEMENTS * 4));
        for (const [b, block] of blocks.entries())
          await merger.mergeBlock(block, BLOCK, output.subarray(b * BLOCK * 4, (b + 1) * BLOCK * 4));

        const expected = mergeTensor(
          method,
          hasBase ? base : undefined,
          inputs.map((values, i) => ({ values, weight: weights[i]!, density: densities[i] })),
          params,
          context,
        );
        assert.deepEqual(output, encodeTensor(GgmlType.F32, expected), what);
        if (remerges) assert.ok(merger.remerges > 0, `${what}: a tie budget ran out inside a block`);
      }
    }
  });
});

describe("a file merge with a worker thread", () => {
  const writeModel = (path: string, values: Float32Array): Promise<void> =>
    writeGguf(path, {
      metadata: {
        "general.architecture": gguf.str("llama"),
        "general.name": gguf.str("m"),
        "tokenizer.ggml.model": gguf.str("gpt2"),
        "tokenizer.ggml.tokens": gguf.strings(["a", "b"]),
      },
      tensors: [{ name: "blk.0.ffn_up.weight", dims: [512, 400], type: GgmlType.F16, data: values }],
    });

  test("ties over F16 inputs writes what merging the whole tensor writes", () =>
    withTempDir(async (dir) => {
      const [base, a, b] = [1, 2, 3].map((seed) => coarseFloats(512 * 400, seed)) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const paths = ["base", "a", "b"].map((name) => join(dir, `${name}.gguf`)) as [string, string, string];
      for (const [i, values] of [base, a, b].entries()) await writeModel(paths[i]!, values);
      const out = join(dir, "out.gguf");
      await mergeModels({
        method: "ties",
        base: paths[0],
        inputs: [
          { path: paths[1], weight: 1, density: 0.3 },
          { path: paths[2], weight: 0.7, density: 0.6 },
        ],
        output: { kind: "model", path: out, type: "F16" },
        blockElements: 60_000,
      });
      const decoded = async (path: string): Promise<Float32Array> => {
        const file = await openGguf(path);
        try {
          return await file.readTensor("blk.0.ffn_up.weight");
        } finally {
          await file.close();
        }
      };
      const [baseValues, aValues, bValues] = await Promise.all(paths.map(decoded));
      const expected = mergeTensor(
        "ties",
        baseValues,
        [
          { values: aValues!, weight: 1, density: 0.3 },
          { values: bValues!, weight: 0.7, density: 0.6 },
        ],
        {},
        { seed: 0, tensorIndex: 0 },
      );
      const merged = await openGguf(out);
      try {
        assert.deepEqual(
          await merged.readTensorBytes("blk.0.ffn_up.weight"),
          encodeTensor(GgmlType.F16, expected),
        );
      } finally {
        await merged.close();
      }
    }));

  for (const method of ["dare_ties", "ties"] as const)
    test(`${method}: a NaN in the worker's part of a block is refused, naming its element`, () =>
      withTempDir(async (dir) => {
        const base = coarseFloats(512 * 400, 1);
        const a = coarseFloats(512 * 400, 2);
        // Blocks of 117 rows (59,904 elements) split at 32,768: element 160,000 is in the third block's
        // second part (from 152,576), the worker's.
        a[160_000] = NaN;
        const paths = ["base", "a", "b"].map((name) => join(dir, `${name}.gguf`));
        await writeModel(paths[0]!, base);
        await writeModel(paths[1]!, a);
        await writeModel(paths[2]!, coarseFloats(512 * 400, 3));
        await assert.rejects(
          mergeModels({
            method,
            base: paths[0],
            inputs: [
              { path: paths[1]!, weight: 1, density: 0.5 },
              { path: paths[2]!, weight: 1, density: 0.5 },
            ],
            output: { kind: "model", path: join(dir, "out.gguf"), type: "F16" },
            blockElements: 60_000,
          }),
          (error: unknown) =>
            error instanceof MergeError &&
            /'blk\.0\.ffn_up\.weight' holds NaN at element 160000/.test(error.message),
        );
      }));
});
