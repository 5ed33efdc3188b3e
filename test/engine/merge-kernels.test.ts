import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { writeDroppedTaskVector } from "../../engine/merge/methods/dareDropout.js";
import {
  mergeTensor,
  openTensorMergeStream,
  tiesMagnitudeWindows,
  trimmedCount,
  type MagnitudeWindow,
} from "../../engine/merge/methods/index.js";
import { signConsensusMerge, type SignConsensusOptions } from "../../engine/merge/methods/signConsensus.js";
import { SignConsensusKernel } from "../../engine/merge/methods/signConsensusKernel.js";
import { TiesSliceKernel } from "../../engine/merge/methods/tiesSliceKernel.js";
import { thresholdMagnitude, TopKCutFinder, TopKTrimmer } from "../../engine/merge/methods/topK.js";
import { ShareBalance } from "../../engine/merge/shareBalance.js";
import { seededFloats } from "../support/ggufTemp.js";

const bitsOf = (values: Float32Array): Uint32Array =>
  new Uint32Array(values.buffer, values.byteOffset, values.length);

/** xorshift32 in [0, 1), to draw the cases. */
function random(seed: number): () => number {
  let state = seed | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/**
 * Values that hit the kernels' edges: zeros of both signs, values on a coarse grid (ties with a cut), and
 * with `specials` subnormals, NaN and infinities.
 */
function edgeValues(draw: () => number, length: number, specials: boolean): Float32Array {
  return Float32Array.from({ length }, () => {
    const u = draw();
    if (u < 0.2) return u < 0.1 ? 0 : -0;
    if (specials && u < 0.23) return [1e-40, -3e-45, NaN, Infinity, -Infinity][Math.floor(draw() * 5)]!;
    return Math.round((draw() * 2 - 1) * 16) / 16;
  });
}

const WEIGHTS = [1, 0.5, -1, 2, 0.3, -0.7, 0, 1e-30, 3e37];

describe("one-pass merge kernels give what the general path gives, bit for bit", () => {
  test("SignConsensusKernel equals signConsensusMerge wherever it does not give up", () => {
    let merged = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const draw = random(trial + 1);
      const inputs = trial % 3 === 0 ? 3 : 2;
      const length = 1 + Math.floor(draw() * 600);
      const base = edgeValues(draw, length, false);
      const vectors = Array.from({ length: inputs }, () => edgeValues(draw, length, trial % 4 === 0));
      const weights = vectors.map(() => WEIGHTS[Math.floor(draw() * WEIGHTS.length)]!);
      const options: SignConsensusOptions = {
        weights,
        electionWeights: draw() < 0.3 ? vectors.map(() => WEIGHTS[Math.floor(draw() * 6)]!) : undefined,
        lambda: draw() < 0.3 ? 0.7 : 1,
        normalize: draw() < 0.5,
        zeroVote: draw() < 0.7 ? "positive" : "none",
      };
      const kernel = new SignConsensusKernel(options);
      const out = new Float32Array(length);
      if (!kernel.applies || !kernel.merge(base, vectors, out)) continue;
      merged++;
      const expected = signConsensusMerge(base, vectors, options);
      assert.deepEqual(bitsOf(out), bitsOf(expected), `case ${trial}: ${JSON.stringify(options)}`);
    }
    assert.ok(merged > 700, `the kernel merged ${merged} of 1500 cases`);
  });

  test("the kernel gives up on a non-finite or subnormal value; weights out of its range rule it out", () => {
    const base = new Float32Array(4);
    const options = { weights: [1, 1], lambda: 1, normalize: false };
    for (const bad of [NaN, Infinity, 1e-40]) {
      const vector = Float32Array.from([0.5, bad, 0.25, 0]);
      assert.equal(
        new SignConsensusKernel(options).merge(base, [vector, vector], new Float32Array(4)),
        false,
      );
    }
    assert.equal(new SignConsensusKernel({ ...options, weights: [1, 1e300] }).applies, false);
    assert.equal(new SignConsensusKernel({ ...options, weights: [1, 1e-30] }).applies, false);
  });

  for (const useWasm of [true, false])
    test(`TiesSliceKernel (${useWasm ? "WebAssembly" : "JavaScript"}) equals trimming then signConsensusMerge, tie budgets spent alike`, () => {
      for (let trial = 0; trial < 800; trial++) {
        const draw = random(trial + 5000);
        const inputs = trial % 4 === 3 ? 3 : 2;
        const length = 1 + Math.floor(draw() * 600);
        const base = edgeValues(draw, length, false);
        const values = Array.from({ length: inputs }, () => edgeValues(draw, length, false));
        const weights = values.map(() => WEIGHTS[Math.floor(draw() * 7)]!);
        const options = {
          weights,
          lambda: draw() < 0.3 ? 0.7 : 1,
          normalize: draw() < 0.5,
          zeroVote: draw() < 0.7 ? ("positive" as const) : ("none" as const),
        };
        // Cuts at a magnitude that occurs (so ties with it are common), keeping all, or keeping none.
        const cuts = values.map((x, i) => {
          const pick = (trial + i) % 9;
          if (pick === 0) return { thresholdBits: -1, equalsToKeep: 0 };
          if (pick === 1) return { thresholdBits: 0x7fffffff, equalsToKeep: 0 };
          const j = Math.floor(draw() * length);
          const magnitude = Math.abs(Math.fround(x[j]! - base[j]!));
          const bits = new Int32Array(Float32Array.from([magnitude]).buffer)[0]!;
          return { thresholdBits: bits, equalsToKeep: Math.floor(draw() * 12) };
        });
        const budgets = Float64Array.from(cuts, (cut) => cut.equalsToKeep);
        const out = new Float32Array(length);
        const kernel = new TiesSliceKernel(options, Float64Array.from(cuts, thresholdMagnitude), useWasm);
        assert.equal(kernel.usesWasm, useWasm && inputs === 2);
        assert.ok(kernel.merge(base, values, budgets, out));

        const trimmers = cuts.map((cut) => new TopKTrimmer(cut));
        const vectors = values.map((x, i) => {
          const vector = new Float32Array(length);
          trimmers[i]!.trimDifference(base, x, vector);
          return vector;
        });
        const expected = signConsensusMerge(base, vectors, options);
        assert.deepEqual(bitsOf(out), bitsOf(expected), `case ${trial}`);
        assert.deepEqual(
          [...budgets],
          trimmers.map((trimmer) => trimmer.tieBudget),
          `case ${trial}: tie budgets`,
        );
      }
    });

  test("DARE's dropout keeps (x − base)/density where the draw is below density and +0 elsewhere", () => {
    const step = 0x6d2b79f5;
    for (const [density, seed, first] of [
      [0.5, 7, 0],
      [0.1, -3, 12345],
      [0.9999, 1 << 30, 7],
      [1e-9, 99, 0],
    ] as const) {
      const n = 3000;
      const draw = random(seed + 17);
      const base = edgeValues(draw, n, true);
      const values = edgeValues(draw, n, true);
      const out = new Float32Array(n);
      writeDroppedTaskVector(base, values, density, seed, out, first);
      const expected = new Float32Array(n);
      for (let j = 0; j < n; j++) {
        // createRandom's (mulberry32's) draw number first + j + 1, as the mask is defined.
        const counter = (seed + Math.imul(first + j + 1, step)) | 0;
        let t = Math.imul(counter ^ (counter >>> 15), counter | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const uniform = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        expected[j] = uniform < density ? (values[j]! - base[j]!) * (1 / density) : 0;
      }
      assert.deepEqual(bitsOf(out), bitsOf(expected), `density ${density}`);
    }
  });
});

describe("a TIES cut found in one statistics pass from a sampled window", () => {
  const n = 200_000;
  const base = seededFloats(n, 1);
  const inputs = [2, 3].map((seed) => seededFloats(n, seed));
  /** The magnitude bucket (high half of the bit pattern) of a non-negative float32. */
  const bucketOf = (magnitude: number): number =>
    new Int32Array(Float32Array.from([magnitude]).buffer)[0]! >>> 16;

  test("a window holding the cut gives the same cut after pass 0 alone; one missing it, after pass 1", () => {
    for (const density of [0.5, 0.1, 0.97]) {
      const k = trimmedCount(density, n, {});
      const plain = new TopKCutFinder(n, k);
      const plainInWasm = new TopKCutFinder(n, k, undefined, true);
      for (let pass = 0; pass < 2; pass++) {
        plain.countDifferences(pass, base, inputs[0]!);
        plainInWasm.countDifferences(pass, base, inputs[0]!);
      }
      const cut = plain.cut();
      assert.deepEqual(plainInWasm.cut(), cut, `density ${density}: counted in WebAssembly`);
      const bucket = cut.thresholdBits >>> 16;
      for (const window of [
        { first: bucket - 2, buckets: 5 },
        { first: bucket, buckets: 1 },
        { first: bucket + 1, buckets: 4 },
        { first: bucket - 4, buckets: 4 },
      ] satisfies MagnitudeWindow[]) {
        for (const inWasm of [false, true]) {
          const holds = window.first <= bucket && bucket < window.first + window.buckets;
          const label = `density ${density}, ${JSON.stringify(window)}, ${inWasm ? "WebAssembly" : "JavaScript"}`;
          const windowed = new TopKCutFinder(n, k, window, inWasm);
          assert.equal(windowed.countingPasses, 2, "before pass 0 is complete");
          // In two parts whose counts are added up, as two threads do.
          const other = new TopKCutFinder(n, k, window, inWasm);
          windowed.countDifferences(0, base.subarray(0, 1000), inputs[0]!.subarray(0, 1000));
          other.countDifferences(0, base.subarray(1000), inputs[0]!.subarray(1000));
          windowed.addCounts(0, other.takeCounts(0));
          assert.equal(windowed.countingPasses, holds ? 1 : 2, label);
          if (!holds) windowed.countDifferences(1, base, inputs[0]!);
          assert.deepEqual(windowed.cut(), cut, label);
        }
      }
    }
  });

  test("a sample's windows hold the cut, and a streamed TIES with them merges as the whole tensor", () => {
    const sample = (values: Float32Array): Float32Array =>
      Float32Array.from({ length: n / 4 }, (_, s) => values[s * 4 + 3]!);
    const densities = [0.5, 0.2];
    const keptCounts = densities.map((density) => trimmedCount(density, n, {}));
    const windows = tiesMagnitudeWindows(sample(base), inputs.map(sample), keptCounts, n);
    windows.forEach((window, i) => {
      assert.ok(window !== undefined && window.buckets <= 16, `input ${i}: ${JSON.stringify(window)}`);
      const magnitudes = Float32Array.from(inputs[i]!, (x, j) => Math.abs(x - base[j]!)).sort();
      const bucket = bucketOf(magnitudes[n - keptCounts[i]!]!);
      assert.ok(window.first <= bucket && bucket < window.first + window.buckets, `input ${i}`);
    });

    const streamed = inputs.map((_, i) => ({ weight: [1, 0.6][i]!, density: densities[i] }));
    const context = { seed: 0, tensorIndex: 0 };
    const stream = openTensorMergeStream("ties", true, streamed, {}, context, n, windows)!;
    const cuts = [0, 777, 90_000, n];
    for (let pass = 0; pass < stream.statisticsPasses; pass++) {
      for (let c = 0; c + 1 < cuts.length; c++) {
        const [from, to] = [cuts[c]!, cuts[c + 1]!];
        stream.observe(
          pass,
          base.subarray(from, to),
          inputs.map((x) => x.subarray(from, to)),
        );
      }
      assert.equal(pass, 0, "the windows held every cut: one statistics pass");
    }
    const out = new Float32Array(n);
    for (let c = 0; c + 1 < cuts.length; c++) {
      const [from, to] = [cuts[c]!, cuts[c + 1]!];
      const slices = inputs.map((x) => x.subarray(from, to));
      out.set(stream.merge(base.subarray(from, to), slices, new Float32Array(to - from)), from);
    }
    const whole = mergeTensor(
      "ties",
      base,
      inputs.map((values, i) => ({ values, ...streamed[i]! })),
      {},
      context,
    );
    assert.deepEqual(bitsOf(out), bitsOf(whole));
  });
});

describe("the cut of each block between this thread and the worker", () => {
  test("moves towards the faster side, in whole slices, and never leaves either side nothing", () => {
    const balance = new ShareBalance(1024);
    assert.equal(balance.cutOf(64 * 1024), 32 * 1024);
    const block = (localPerElement: number, workerPerElement: number): void => {
      const elements = 64 * 1024;
      const cut = balance.cutOf(elements);
      assert.equal(cut % 1024, 0);
      balance.record(elements, cut, cut * localPerElement, (elements - cut) * workerPerElement);
    };
    // This thread takes twice as long per element: the share moves below a half, towards a third.
    for (let i = 0; i < 30; i++) block(2e-6, 1e-6);
    assert.ok(Math.abs(balance.share - 1 / 3) < 0.01, `share ${balance.share}`);
    // A worker stalled on every block still gets a tenth.
    for (let i = 0; i < 50; i++) block(1e-9, 1e-3);
    assert.ok(Math.abs(balance.share - 0.9) < 1e-9, `share ${balance.share}`);
    // A block with nothing on one side says nothing about speeds.
    const before = balance.share;
    balance.record(1024, 1024, 1, 0);
    assert.equal(balance.share, before);
  });
});
