import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { halfToFloatTable } from "../../engine/gguf/halfFloat.js";
import { encodeTensor, GgmlType } from "../../engine/gguf/index.js";
import { DareTiesStream } from "../../engine/merge/methods/dareStreams.js";
import { dareTiesMerge } from "../../engine/merge/methods/dareTies.js";
import { sceMerge } from "../../engine/merge/methods/sce.js";
import { SceStream } from "../../engine/merge/methods/sceStream.js";
import { signConsensusMerge } from "../../engine/merge/methods/signConsensus.js";
import { TopKCutFinder } from "../../engine/merge/methods/topK.js";
import { TiesSliceKernel } from "../../engine/merge/methods/tiesSliceKernel.js";
import { repoRoot } from "../support/repoRoot.js";

/** A seeded linear congruential generator: draws in [0, 1), the same for every run. */
function drawing(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

/** Floats as the F16 halves GGUF stores. */
const toHalves = (floats: Float32Array): Uint16Array =>
  new Uint16Array(encodeTensor(GgmlType.F16, floats).buffer.slice(0));

describe("the merge kernels in WebAssembly", () => {
  test("each committed <name>Wasm.ts is what its .wat compiles to", () => {
    const run = spawnSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
  });

  test("this runtime compiles them, so merges use them (TIES' two-input merge and its counting)", () => {
    const kernel = new TiesSliceKernel(
      { weights: [1, 1], lambda: 1, normalize: true },
      Float64Array.from([0.5, 0.5]),
    );
    assert.equal(kernel.usesWasm, true);
    const finder = new TopKCutFinder(4, 2, undefined, true);
    assert.equal(finder.countsInWasm, true);
    finder.countDifferences(0, new Float32Array(4), Float32Array.from([1, -3, 2, 0.5]));
    finder.countDifferences(1, new Float32Array(4), Float32Array.from([1, -3, 2, 0.5]));
    assert.deepEqual(finder.cut(), { thresholdBits: 0x40000000, equalsToKeep: 1 });
  });

  test("halves are decoded on the way as engine/gguf decodes them: every one of the 65,536 patterns", () => {
    const halves = Uint16Array.from({ length: 0x10000 }, (_, h) => h);
    const floats = Float32Array.from(halves, (h) => halfToFloatTable[h]!);
    // Against a base of zeros the magnitudes counted are the decoded values' own, sign cleared: the high
    // halves' counts (pass 0), then the low halves' within the k-th's bucket (pass 1).
    for (const k of [1000, 30_000]) {
      const fromFloats = new TopKCutFinder(0x10000, k);
      const fromHalves = new TopKCutFinder(0x10000, k, undefined, true);
      fromFloats.countDifferences(0, new Float32Array(0x10000), floats);
      fromHalves.countDifferences(0, new Uint16Array(0x10000), halves);
      fromFloats.countDifferences(1, new Float32Array(0x10000), floats);
      fromHalves.countDifferences(1, new Uint16Array(0x10000), halves);
      assert.deepEqual(fromHalves.takeCounts(1), fromFloats.takeCounts(1), `k ${k}: low counts`);
      assert.deepEqual(fromHalves.takeCounts(0), fromFloats.takeCounts(0), `k ${k}: high counts`);
    }
  });

  test("the two-input merge takes halves and gives what it gives on their decoded floats", () => {
    const length = 20_000;
    const draw = (seed: number): Uint16Array => {
      let state = seed;
      // Finite halves only (exponent below 31): a non-finite one makes the kernel give up.
      return Uint16Array.from({ length }, () => {
        state = (state * 1103515245 + 12345) >>> 0;
        const half = (state >>> 8) & 0xffff;
        return (half & 0x7c00) === 0x7c00 ? half & ~0x4000 : half;
      });
    };
    const [base, x0, x1] = [draw(1), draw(2), draw(3)];
    const decode = (values: Uint16Array) => Float32Array.from(values, (h) => halfToFloatTable[h]!);
    const options = { weights: [1, 0.7], lambda: 1, normalize: true, zeroVote: "positive" as const };
    const thresholds = Float64Array.from([0.01, 2]);
    const fromHalves = new Float32Array(length);
    const fromFloats = new Float32Array(length);
    const budgets = [Float64Array.from([5, 5]), Float64Array.from([5, 5])];
    assert.ok(new TiesSliceKernel(options, thresholds).merge(base, [x0, x1], budgets[0]!, fromHalves));
    assert.ok(
      new TiesSliceKernel(options, thresholds, false).merge(
        decode(base),
        [decode(x0), decode(x1)],
        budgets[1]!,
        fromFloats,
      ),
    );
    assert.deepEqual(new Uint32Array(fromHalves.buffer), new Uint32Array(fromFloats.buffer));
    assert.deepEqual(budgets[0], budgets[1]);
  });

  test("the merge writes halves rounded as engine/gguf encodes F16: subnormal, overflowing and tied floats", () => {
    // With cuts that keep nothing the merge is the base itself, so the output is the base encoded.
    let state = 7;
    const base = Float32Array.from({ length: 40_000 }, (_, j) => {
      state = (state * 1103515245 + 12345) >>> 0;
      const scale = [1, 1e-6, 3e-8, 7e4, 65504, 1e-4][j % 6]!;
      return (state / 2 ** 31 - 1) * scale;
    });
    const options = { weights: [1, 1], lambda: 1, normalize: true };
    const none = Float64Array.from([Infinity, Infinity]);
    const halves = new Uint16Array(base.length);
    assert.ok(new TiesSliceKernel(options, none).merge(base, [base, base], new Float64Array(2), halves));
    const floats = new Float32Array(base.length);
    assert.ok(
      new TiesSliceKernel(options, none, false).merge(base, [base, base], new Float64Array(2), floats),
    );
    assert.deepEqual(new Uint8Array(halves.buffer), encodeTensor(GgmlType.F16, floats));
  });

  test("dare_ties' two-input merge in WebAssembly gives the whole-tensor merge's bytes, from floats or halves", () => {
    const length = 5_003;
    const draw = drawing(11);
    // On a coarse grid, as F16 holds them exactly, with zeros of both signs.
    const values = (): Float32Array =>
      Float32Array.from({ length }, () => (draw() < 0.1 ? -0 : Math.round((draw() * 2 - 1) * 64) / 64));
    for (const [densities, weights, params] of [
      [[0.3, 0.9], [1, 1], {}],
      [[1, 0.5], [0.7, -0.5], { normalize: true, lambda: 0.8 }],
      [[0.05, 0.999], [2, 1], { zeroVote: "none" as const }],
    ] as const) {
      const [base, a, b] = [values(), values(), values()];
      const inputs = [0, 1].map((i) => ({ weight: weights[i]!, density: densities[i]! }));
      const context = { seed: 42, tensorIndex: 3 };
      const expected = dareTiesMerge(
        base,
        [
          { ...inputs[0]!, values: a },
          { ...inputs[1]!, values: b },
        ],
        params,
        context,
      );
      // Floats, in two slices (the second starting mid-tensor).
      const stream = new DareTiesStream(inputs, params, context);
      assert.ok(stream.halves !== undefined, "the WebAssembly kernel is used");
      const merged = new Float32Array(length);
      const cut = 2_001;
      stream.merge(base.subarray(0, cut), [a.subarray(0, cut), b.subarray(0, cut)], merged.subarray(0, cut));
      stream.merge(base.subarray(cut), [a.subarray(cut), b.subarray(cut)], merged.subarray(cut));
      assert.deepEqual(
        new Uint32Array(merged.buffer),
        new Uint32Array(expected.buffer),
        JSON.stringify(params),
      );
      // Halves in, halves out: the F16 encoding of the same merge.
      const fromHalves = new DareTiesStream(inputs, params, context);
      const out = new Uint16Array(length);
      assert.ok(fromHalves.halves!.mergeIfFinite(toHalves(base), [toHalves(a), toHalves(b)], out));
      assert.deepEqual(
        new Uint8Array(out.buffer),
        encodeTensor(GgmlType.F16, expected),
        JSON.stringify(params),
      );
    }
  });

  test("TIES' kernel elects by other weights where asked (SCE's plain sum), as signConsensusMerge does", () => {
    const length = 4_099;
    const draw = drawing(5);
    // A coarse grid, so votes tie at exactly zero.
    const values = (): Float32Array =>
      Float32Array.from({ length }, () => Math.round((draw() * 2 - 1) * 4) / 4);
    const [base, a, b] = [values(), values(), values()];
    const keepAll = Float64Array.from([-1, -1]);
    for (const options of [
      { weights: [0.8, 0.2], electionWeights: [1, 1], lambda: 1, normalize: true },
      { weights: [0.3, 0.7], electionWeights: [1, 1], lambda: 0.6, normalize: false },
      { weights: [0.5, 0.5], electionWeights: [1, 1], lambda: 1, normalize: true, zeroVote: "none" as const },
    ]) {
      const vectors = [a, b].map((x) => Float32Array.from(x, (v, j) => v - base[j]!));
      const expected = signConsensusMerge(base, vectors, options);
      for (const useWasm of [true, false]) {
        const merged = new Float32Array(length);
        const kernel = new TiesSliceKernel(options, keepAll, useWasm);
        assert.ok(kernel.applies && kernel.merge(base, [a, b], new Float64Array(2), merged));
        assert.deepEqual(
          new Uint32Array(merged.buffer),
          new Uint32Array(expected.buffer),
          `${JSON.stringify(options)} wasm ${useWasm}`,
        );
      }
    }
  });

  test("sce for two inputs (selection, norms and merge in WebAssembly) gives the whole-tensor merge's bytes", () => {
    const length = 6_007;
    const draw = drawing(23);
    const values = (scale: number): Float32Array =>
      Float32Array.from({ length }, () => Math.round((draw() * 2 - 1) * 256) / (256 / scale));
    // selectTopK < 1 selects by variance, whose many ties on this grid the cut splits by position.
    for (const params of [
      {},
      { lambda: 0.7, normalize: false },
      { zeroVote: "none" as const },
      { selectTopK: 0.3 },
      { selectTopK: 0.5, keptCount: "round" as const, lambda: 0.9 },
      { selectTopK: 1e-9 },
    ]) {
      const [base, a, b] = [values(1), values(0.5), values(2)];
      const inputs = [{ weight: 1 }, { weight: 1 }];
      const expected = sceMerge(
        base,
        [
          { ...inputs[0]!, values: a },
          { ...inputs[1]!, values: b },
        ],
        params,
      );
      const stream = new SceStream(2, params, length);
      assert.ok(stream.halves !== undefined, "the WebAssembly kernels are used");
      const cut = 2_501;
      for (let pass = 0; pass < stream.statisticsPasses; pass++) {
        for (const [from, to] of [
          [0, cut],
          [cut, length],
        ] as const) {
          stream.observe(pass, base.subarray(from, to), [a.subarray(from, to), b.subarray(from, to)]);
        }
      }
      const merged = new Float32Array(length);
      for (const [from, to] of [
        [0, cut],
        [cut, length],
      ] as const) {
        const slices = [a.subarray(from, to), b.subarray(from, to)];
        stream.merge(base.subarray(from, to), slices, merged.subarray(from, to));
      }
      assert.deepEqual(
        new Uint32Array(merged.buffer),
        new Uint32Array(expected.buffer),
        JSON.stringify(params),
      );
      // Halves in and out: the F16 encoding of the same merge (the inputs are on F16's grid).
      const fromHalves = new SceStream(2, params, length);
      for (let pass = 0; pass < fromHalves.statisticsPasses; pass++)
        fromHalves.halves!.observe(pass, toHalves(base), [toHalves(a), toHalves(b)]);
      const out = new Uint16Array(length);
      assert.ok(fromHalves.halves!.mergeIfFinite(toHalves(base), [toHalves(a), toHalves(b)], out));
      assert.deepEqual(
        new Uint8Array(out.buffer),
        encodeTensor(GgmlType.F16, expected),
        JSON.stringify(params),
      );
    }
  });
});
