import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  decodeTensorInto,
  encodeTensor,
  floatToHalf,
  GgmlType,
  GgufFile,
  gguf,
  halfToFloat,
  openGguf,
  writeGguf,
} from "../../engine/gguf/index.js";
import { createRandom } from "../../engine/linalg/index.js";
import { mergeModels, type MergeJob } from "../../engine/merge/index.js";
import { writeDroppedTaskVector } from "../../engine/merge/methods/dareDropout.js";
import {
  mergeTensor,
  openTensorMergeStream,
  STREAMING_METHODS,
  type MergeInput,
  type MergeMethod,
  type MergeParams,
} from "../../engine/merge/methods/index.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

/** Floats on a coarse grid (multiples of 1/8), so many task-vector magnitudes tie with TIES' cut. */
function coarseFloats(count: number, seed: number): Float32Array {
  return seededFloats(count, seed, 1).map((x) => Math.round(x * 8) / 8);
}

const sameBits = (actual: Float32Array, expected: Float32Array, what: string): void =>
  assert.deepEqual(
    new Uint32Array(actual.buffer, actual.byteOffset, actual.length),
    new Uint32Array(expected.buffer, expected.byteOffset, expected.length),
    what,
  );

interface Case {
  method: MergeMethod;
  densities: (number | undefined)[];
  params: MergeParams;
}

const CASES: Case[] = [
  { method: "linear", densities: [undefined, undefined, undefined], params: {} },
  { method: "linear", densities: [undefined, undefined, undefined], params: { normalize: false } },
  { method: "task_arithmetic", densities: [undefined, undefined, undefined], params: { lambda: 0.9 } },
  // k = round(density · n): 1e-6 keeps nothing, 1 keeps everything (no counting passes for that input).
  { method: "ties", densities: [0.3, 0.55, 1], params: {} },
  { method: "ties", densities: [1e-6, 0.8, 0.05], params: { lambda: 0.7, normalize: false } },
  { method: "dare_linear", densities: [0.3, 0.9, 1], params: { lambda: 1.5 } },
  { method: "dare_ties", densities: [0.5, 0.25, 1], params: {} },
  { method: "sce", densities: [undefined, undefined, undefined], params: {} },
  { method: "sce", densities: [undefined, undefined, undefined], params: { selectTopK: 0.4, lambda: 0.8 } },
  {
    method: "sce",
    densities: [undefined, undefined, undefined],
    params: { selectTopK: 1e-7, normalize: false },
  },
];

const STATISTICS_PASSES: Partial<Record<MergeMethod, (params: MergeParams) => number>> = {
  ties: () => 2,
  sce: (params) => ((params.selectTopK ?? 1) < 1 ? 3 : 1),
};

describe("streamed merges equal whole-tensor merges bit for bit", () => {
  test("every streaming method over slices of uneven sizes", () => {
    const n = 5000;
    const base = coarseFloats(n, 1);
    const values = [2, 3, 4].map((seed) => coarseFloats(n, seed));
    const weights = [1, 0.6, -0.3];
    const context = { seed: 11, tensorIndex: 4 };
    for (const { method, densities, params } of CASES) {
      const inputs: MergeInput[] = values.map((v, i) => ({
        values: v,
        weight: weights[i]!,
        density: densities[i],
      }));
      const whole = mergeTensor(method, base, inputs, params, context);
      const stream = openTensorMergeStream(
        method,
        true,
        inputs.map(({ weight, density }) => ({ weight, density })),
        params,
        context,
        n,
      )!;
      assert.equal(
        stream.statisticsPasses,
        STATISTICS_PASSES[method]?.(params) ?? 0,
        `${method} statistics passes`,
      );
      const cuts = [0, 7, 8, 1000, 1001, 3333, n];
      const slices = (from: number, to: number) => ({
        base: base.subarray(from, to),
        values: values.map((v) => v.subarray(from, to)),
      });
      for (let pass = 0; pass < stream.statisticsPasses; pass++) {
        for (let c = 0; c + 1 < cuts.length; c++) {
          const slice = slices(cuts[c]!, cuts[c + 1]!);
          stream.observe(pass, slice.base, slice.values);
        }
      }
      const streamed = new Float32Array(n);
      for (let c = 0; c + 1 < cuts.length; c++) {
        const slice = slices(cuts[c]!, cuts[c + 1]!);
        streamed.set(stream.merge(slice.base, slice.values, new Float32Array(slice.base.length)), cuts[c]);
      }
      sameBits(streamed, whole, `${method} ${JSON.stringify({ densities, params })}`);
    }
  });

  test("slerp does not stream; a slice of the wrong length is refused", () => {
    const inputs = [{ weight: 1 }, { weight: 1 }];
    assert.equal(
      openTensorMergeStream("slerp", false, inputs, { t: 0.5 }, { seed: 0, tensorIndex: 0 }, 10),
      undefined,
    );
    assert.deepEqual([...STREAMING_METHODS].sort(), [
      "dare_linear",
      "dare_ties",
      "linear",
      "sce",
      "task_arithmetic",
      "ties",
    ]);
    const stream = openTensorMergeStream("linear", false, inputs, {}, { seed: 0, tensorIndex: 0 }, 10)!;
    assert.throws(
      () => stream.merge(undefined, [new Float32Array(4), new Float32Array(3)], new Float32Array(4)),
      /inputs\[1\].*3 elements where the others have 4/,
    );
    assert.throws(
      () => openTensorMergeStream("ties", false, inputs, {}, { seed: 0, tensorIndex: 0 }, 10),
      /needs the base tensor/,
    );
  });

  test("DARE's mask draws are createRandom's, addressed by tensor position", () => {
    const n = 3000;
    const base = new Float32Array(n);
    const ones = new Float32Array(n).fill(1);
    const seed = 0x9e3779b9;
    const kept = (from: number, count: number): number[] => {
      const into = new Float32Array(count);
      writeDroppedTaskVector(base.subarray(0, count), ones.subarray(0, count), 0.5, seed, into, from);
      return Array.from(into, (x) => (x === 0 ? 0 : 1));
    };
    const random = createRandom(seed);
    const expected = Array.from({ length: n }, () => (random.next() < 0.5 ? 1 : 0));
    assert.deepEqual(kept(0, n), expected);
    assert.deepEqual(kept(1234, n - 1234), expected.slice(1234));
    // createRandom's 32-bit counter wraps: the draw 2^32 positions on is the same one.
    assert.deepEqual(kept(2 ** 32 + 17, 100), expected.slice(17, 117));
  });
});

const BLOCK_ELEMENTS = 20_000;

async function writeModel(path: string, seed: number): Promise<void> {
  await writeGguf(path, {
    metadata: {
      "general.architecture": gguf.str("llama"),
      "general.name": gguf.str(`model-${seed}`),
      "tokenizer.ggml.model": gguf.str("gpt2"),
      "tokenizer.ggml.tokens": gguf.strings(["a", "b"]),
    },
    tensors: [
      { name: "blk.0.attn_norm.weight", dims: [256], type: GgmlType.F32, data: coarseFloats(256, seed) },
      // 300 rows of 256: four row blocks of 78 rows (19,968 elements), each merged in two slices.
      {
        name: "blk.0.ffn_up.weight",
        dims: [256, 300],
        type: GgmlType.F32,
        data: coarseFloats(256 * 300, seed + 1),
      },
      {
        name: "blk.0.ffn_down.weight",
        dims: [512, 100],
        type: GgmlType.F16,
        data: coarseFloats(512 * 100, seed + 2),
      },
    ],
  });
}

describe("a streamed file merge writes what merging each whole tensor writes", () => {
  test("tensors of several row blocks, for every streaming method, in F32 and Q8_0 output", () =>
    withTempDir(async (dir) => {
      const paths = ["base", "a", "b", "c"].map((name) => join(dir, `${name}.gguf`));
      for (const [i, path] of paths.entries()) await writeModel(path, 10 * i + 1);
      const [basePath, ...inputPaths] = paths as [string, ...string[]];
      const files = await Promise.all(paths.map((path) => openGguf(path)));
      try {
        const [baseFile, ...inputFiles] = files as [GgufFile, ...GgufFile[]];
        const weights = [1, 0.6, -0.3];

        // The TIES cut of the big tensor falls among equal magnitudes spread over several blocks, so the
        // ties kept (lowest positions first) are counted across blocks.
        const baseUp = await baseFile.readTensor("blk.0.ffn_up.weight");
        const magnitudes = (await inputFiles[0]!.readTensor("blk.0.ffn_up.weight")).map((x, j) =>
          Math.abs(x - baseUp[j]!),
        );
        const k = Math.round(0.3 * magnitudes.length);
        const kth = [...magnitudes].sort((a, b) => b - a)[k - 1]!;
        const tied = magnitudes.reduce<number[]>((at, m, j) => (m === kth ? [...at, j] : at), []);
        const above = magnitudes.filter((m) => m > kth).length;
        assert.ok(above < k && k < above + tied.length, "the cut splits a run of equal magnitudes");
        assert.ok(
          tied[0]! < BLOCK_ELEMENTS && tied.at(-1)! > 3 * BLOCK_ELEMENTS,
          "the equal magnitudes span the blocks",
        );

        for (const { method, densities, params } of CASES) {
          for (const type of ["F32", "Q8_0"] as const) {
            const out = join(dir, `${method}-${type}.gguf`);
            let reports = 0;
            const job: MergeJob = {
              method,
              base: method === "linear" ? undefined : basePath,
              inputs: inputPaths.map((path, i) => ({ path, weight: weights[i]!, density: densities[i] })),
              params,
              seed: 5,
              output: { kind: "model", path: out, type },
              blockElements: BLOCK_ELEMENTS,
              onProgress: () => reports++,
            };
            await mergeModels(job);
            assert.equal(reports, 1 + 4 + 3, "progress reported per row block");
            const merged = await openGguf(out);
            try {
              for (const [tensorIndex, info] of merged.tensors.entries()) {
                const inputs = await Promise.all(
                  inputFiles.map(async (file, i) => ({
                    values: await file.readTensor(info.name),
                    weight: weights[i]!,
                    density: densities[i],
                  })),
                );
                const base = method === "linear" ? undefined : await baseFile.readTensor(info.name);
                const expected = encodeTensor(
                  info.type,
                  mergeTensor(method, base, inputs, params, { seed: 5, tensorIndex }),
                );
                assert.deepEqual(
                  await merged.readTensorBytes(info.name),
                  expected,
                  `${method} ${type} ${info.name}`,
                );
              }
            } finally {
              await merged.close();
            }
          }
        }
      } finally {
        await Promise.all(files.map((file) => file.close()));
      }
    }));

  test("streaming methods never hold a whole tensor: they read row blocks only", (t) =>
    withTempDir(async (dir) => {
      const paths = ["base", "a", "b"].map((name) => join(dir, `${name}.gguf`));
      for (const [i, path] of paths.entries()) await writeModel(path, 10 * i + 1);
      t.mock.method(GgufFile.prototype, "readTensor", () =>
        Promise.reject(new Error("a streaming merge read a whole tensor")),
      );
      // A spy: every read still goes to the real readRowBytes.
      const readRowBytes = t.mock.method(GgufFile.prototype, "readRowBytes");
      try {
        for (const method of ["ties", "dare_ties", "dare_linear", "sce"] as const) {
          await mergeModels({
            method,
            base: paths[0],
            inputs: paths.slice(1).map((path) => ({ path, weight: 1, density: 0.5 })),
            params: method === "sce" ? { selectTopK: 0.5 } : {},
            output: { kind: "model", path: join(dir, `${method}.gguf`), type: "F16" },
            blockElements: BLOCK_ELEMENTS,
          });
        }
      } finally {
        t.mock.restoreAll();
      }
      const readRows = readRowBytes.mock.calls.map((call) => call.arguments[2]);
      assert.ok(
        readRows.length > 0 && Math.max(...readRows) <= 78,
        `at most 78 rows (${BLOCK_ELEMENTS} elements of 256-element rows) per read, got ${Math.max(...readRows)}`,
      );
    }));
});

describe("the reused buffers a streamed merge reads and encodes into", () => {
  test("readRowBytes fills the buffer given and refuses one too small", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "m.gguf");
      await writeModel(path, 1);
      const file = await openGguf(path);
      try {
        const whole = await file.readTensorBytes("blk.0.ffn_down.weight");
        const buffer = new Uint8Array(4 * 1024 + 9).fill(0xee);
        const rows = await file.readRowBytes("blk.0.ffn_down.weight", 3, 4, buffer);
        assert.equal(rows.buffer, buffer.buffer, "read into the buffer given");
        assert.deepEqual(rows, whole.subarray(3 * 1024, 7 * 1024));
        assert.equal(buffer[4 * 1024], 0xee, "nothing written past the rows");
        await assert.rejects(
          file.readRowBytes("blk.0.ffn_down.weight", 0, 5, buffer),
          /rows 0\.\.4 of tensor 'blk\.0\.ffn_down\.weight' take 5120 bytes; the buffer given holds 4105/,
        );
        await assert.rejects(
          file.readRowBytes("blk.0.ffn_down.weight", 99, 2),
          /rows \[99, 101\) are outside tensor/,
        );
      } finally {
        await file.close();
      }
    }));

  test("encodeTensor writes every output type into a buffer given, as it would into a new one", () => {
    const values = coarseFloats(96, 7).map((x, j) => x * (j + 1));
    for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0]) {
      const fresh = encodeTensor(type, values);
      const buffer = new Uint8Array(fresh.length + 5).fill(0xee);
      const reused = encodeTensor(type, values, buffer);
      assert.equal(reused.buffer, buffer.buffer, `${GgmlType[type]}: encoded into the buffer given`);
      assert.deepEqual(reused, fresh, `${GgmlType[type]}: same bytes`);
      assert.equal(buffer[fresh.length], 0xee, `${GgmlType[type]}: nothing written past the encoding`);
      assert.throws(
        () => encodeTensor(type, values, new Uint8Array(fresh.length - 1)),
        /the buffer given holds/,
      );
    }
  });

  test("F16 encodes and decodes element by element alike at any length and byte offset", () => {
    // Specials among ordinary values: ±0, subnormal and overflowing halves, infinities, NaN.
    const specials = [0, -0, 6e-8, -3e-5, 65504, 65520, 1e6, -Infinity, Infinity, Number.NaN, 1 / 3];
    for (const length of [0, 1, 2, 7, 64, 65]) {
      const values = Float32Array.from(
        { length },
        (_, j) => specials[j % specials.length]! * (j % 3 === 0 ? 1 : 0.37) + (j % 5 === 0 ? 0 : 0.001 * j),
      );
      const halves = Array.from(values, (x) => floatToHalf(x));
      for (const offset of [0, 1, 2, 4]) {
        const buffer = new Uint8Array(offset + 2 * length);
        const bytes = encodeTensor(GgmlType.F16, values, buffer.subarray(offset));
        assert.deepEqual(
          Array.from({ length }, (_, j) => bytes[2 * j]! | (bytes[2 * j + 1]! << 8)),
          halves,
          `encode: length ${length}, offset ${offset}`,
        );
        const decoded = decodeTensorInto(GgmlType.F16, bytes, new Float32Array(length));
        assert.deepEqual(
          Array.from(decoded),
          halves.map(halfToFloat),
          `decode: length ${length}, offset ${offset}`,
        );
      }
    }
  });
});
