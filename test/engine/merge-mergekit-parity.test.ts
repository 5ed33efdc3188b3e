import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { GgmlType, gguf, openGguf, writeGguf } from "../../engine/gguf/index.js";
import { mergeModels } from "../../engine/merge/index.js";
import {
  dareTiesMerge,
  linearMerge,
  sceMerge,
  slerpMerge,
  tiesMerge,
  type MergeInput,
  type MergeParams,
} from "../../engine/merge/methods/index.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

// Small references written from mergekit's definitions (merge_methods/generalized_task_arithmetic.py,
// sparsify.py, sce.py, slerp.py, linear.py), in double precision over the same float32 inputs. Where
// torch leaves a choice open (which of several equal magnitudes argsort puts first) they take the lowest
// index, as a stable sort would.

/** sparsify.magnitude: keeps the int(density·n) largest magnitudes. */
function magnitude(delta: readonly number[], density: number): number[] {
  if (density >= 1) return [...delta];
  const k = Math.trunc(density * delta.length);
  const order = delta.map((_, i) => i).sort((a, b) => Math.abs(delta[b]!) - Math.abs(delta[a]!) || a - b);
  const kept = new Set(order.slice(0, k));
  return delta.map((x, i) => (kept.has(i) ? x : 0));
}

interface ReferenceModel {
  values: readonly number[];
  weight: number;
  density?: number;
}

/** GTATask.execute with consensus "sum": ties (magnitude) or, given already-sparsified inputs, dare_ties. */
function mergekitTies(
  base: readonly number[],
  models: readonly ReferenceModel[],
  options: { sparsify: boolean; normalize: boolean; lambda?: number },
): number[] {
  const deltas = models.map(({ values, density = 1 }) => {
    const delta = values.map((x, j) => x - base[j]!);
    return options.sparsify ? magnitude(delta, density) : delta;
  });
  return base.map((b, j) => {
    const weighted = deltas.map((delta, i) => delta[j]! * models[i]!.weight);
    const majority = weighted.reduce((a, c) => a + c, 0) >= 0 ? 1 : -1;
    let mixed = 0;
    let divisor = 0;
    weighted.forEach((value, i) => {
      if (Math.sign(value) === majority) {
        mixed += value;
        divisor += models[i]!.weight;
      }
    });
    if (divisor === 0) divisor = 1;
    if (options.normalize) mixed /= divisor;
    return b + mixed * (options.lambda ?? 1);
  });
}

/** SCETask.execute. */
function mergekitSce(base: readonly number[], models: readonly number[][], selectTopK: number): number[] {
  let deltas = models.map((values) => values.map((x, j) => x - base[j]!));
  const m = deltas.length;
  if (selectTopK < 1) {
    const variance = base.map((_, j) => {
      const mean = deltas.reduce((a, d) => a + d[j]!, 0) / m;
      return deltas.reduce((a, d) => a + (d[j]! - mean) ** 2, 0) / m;
    });
    const k = Math.trunc(selectTopK * variance.filter((v) => v !== 0).length);
    const order = variance.map((_, j) => j).sort((a, b) => variance[b]! - variance[a]! || a - b);
    const kept = new Set(order.slice(0, k));
    deltas = deltas.map((d) => d.map((x, j) => (kept.has(j) ? x : 0)));
  }
  const energies = deltas.map((d) => d.reduce((a, x) => a + x * x, 0) / d.length);
  const total = energies.reduce((a, e) => a + e, 0);
  const weights = energies.map((e) => (total === 0 ? 1 / m : e / total));
  return base.map((b, j) => {
    const majority = deltas.reduce((a, d) => a + d[j]!, 0) >= 0 ? 1 : -1;
    let mixed = 0;
    let divisor = 0;
    deltas.forEach((d, i) => {
      if (Math.sign(d[j]!) === majority) {
        mixed += d[j]! * weights[i]!;
        divisor += weights[i]!;
      }
    });
    return b + mixed / (divisor === 0 ? 1 : divisor);
  });
}

/** slerp.slerp: a vector whose norm is at most eps is left unnormalised. */
function mergekitSlerp(t: number, v0: readonly number[], v1: readonly number[]): number[] {
  const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  const unit = (v: readonly number[]): number[] => {
    const n = norm(v);
    return n > 1e-8 ? v.map((x) => x / n) : [...v];
  };
  const [u0, u1] = [unit(v0), unit(v1)];
  const dot = u0.reduce((a, x, j) => a + x * u1[j]!, 0);
  if (Math.abs(dot) > 0.9995) return v0.map((x, j) => (1 - t) * x + t * v1[j]!);
  const theta = Math.acos(dot);
  const s0 = Math.sin(theta - theta * t) / Math.sin(theta);
  const s1 = Math.sin(theta * t) / Math.sin(theta);
  return v0.map((x, j) => s0 * x + s1 * v1[j]!);
}

function assertClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  what: string,
  tolerance = 1e-5,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let j = 0; j < expected.length; j++) {
    const scale = Math.max(1, Math.abs(expected[j]!));
    assert.ok(
      Math.abs(actual[j]! - expected[j]!) <= tolerance * scale,
      `${what} [${j}]: Coop ${actual[j]}, mergekit ${expected[j]}`,
    );
  }
}

/** Small integer task vectors: exact sums, so many exact zero votes and equal magnitudes. */
function integerTaskVectors(count: number, length: number, seed: number): number[][] {
  return Array.from({ length: count }, (_, i) =>
    Array.from(seededFloats(length, seed + i, 3.5), (x) => Math.round(x)),
  );
}

function inputsOf(
  base: readonly number[],
  taskVectors: number[][],
  weights: number[],
  densities: number[],
): MergeInput[] {
  return taskVectors.map((tau, i) => ({
    values: Float32Array.from(tau, (t, j) => base[j]! + t),
    weight: weights[i]!,
    density: densities[i],
  }));
}

const referenceModels = (inputs: readonly MergeInput[]): ReferenceModel[] =>
  inputs.map(({ values, weight, density }) => ({ values: Array.from(values), weight, density }));

describe("ties as mergekit's", () => {
  test("keeps int(density·n) values: .5 fractions round down, and 0.29·100 keeps 28", () => {
    const base = [0, 0, 0, 0, 0];
    const inputs = inputsOf(base, [[5, -4, 3, -2, 1]], [1], [0.5]);
    // int(2.5) = 2: 5 and -4 (round would keep 3 as well)
    assertClose(tiesMerge(Float32Array.from(base), inputs), [5, -4, 0, 0, 0], "density 0.5 of 5");
    assertClose(
      tiesMerge(Float32Array.from(base), inputs),
      mergekitTies(base, referenceModels(inputs), { sparsify: true, normalize: true }),
      "reference",
    );
    const hundred = Array.from({ length: 100 }, (_, j) => 100 - j);
    const zeros = new Array<number>(100).fill(0);
    const merged = tiesMerge(Float32Array.from(zeros), inputsOf(zeros, [hundred], [1], [0.29]));
    assert.equal(merged.filter((x) => x !== 0).length, 28, "0.29 * 100 is 28.999999999999996 in doubles");
  });

  test("a vote summing to exactly zero elects +, so the positive side merges", () => {
    const base = [1, 1, 1];
    // With weights 1 and 3: position 0: 1·6 − 3·2 = 0 elects +: 1 + 6; position 1: 1·3 − 3·1 = 0 elects +:
    // 1 + 3 (each divided by the agreeing weight 1); position 2: all zero: the base
    const inputs = inputsOf(
      base,
      [
        [6, 3, 0],
        [-2, -1, 0],
      ],
      [1, 3],
      [1, 1],
    );
    const expected = mergekitTies(base, referenceModels(inputs), { sparsify: true, normalize: true });
    assert.deepEqual(expected, [7, 4, 1]);
    assertClose(tiesMerge(Float32Array.from(base), inputs), expected, "ties");
    // zeroVote "none" (Coop's former rule) keeps the base where the vote is zero.
    assertClose(tiesMerge(Float32Array.from(base), inputs, { zeroVote: "none" }), [1, 1, 1], "zeroVote none");
  });

  test("matches the reference on integer task vectors full of exact ties and zero votes", () => {
    const n = 257;
    // An integer base too, so every task vector is exact in float32 and equal magnitudes stay equal.
    const base = Array.from(seededFloats(n, 99, 2), (x) => Math.round(x));
    const formerRules: MergeParams[] = [{ zeroVote: "none" }, { keptCount: "round" }];
    const hit = new Set<MergeParams>();
    for (const [weights, densities, params] of [
      [[1, 1, 1], [0.5, 0.3, 0.7], {}],
      [[0.5, 2, -1], [0.25, 1, 0.5], { lambda: 0.7 }],
      [[1, 1, 1], [0.5, 0.5, 0.5], { normalize: false }],
    ] as [number[], number[], MergeParams][]) {
      const inputs = inputsOf(base, integerTaskVectors(3, n, 7), weights, densities);
      const expected = mergekitTies(base, referenceModels(inputs), {
        sparsify: true,
        normalize: params.normalize ?? true,
        lambda: params.lambda,
      });
      assertClose(
        tiesMerge(Float32Array.from(base), inputs, params),
        expected,
        JSON.stringify({ weights, densities }),
      );
      for (const former of formerRules) {
        const other = tiesMerge(Float32Array.from(base), inputs, { ...params, ...former });
        if (other.some((x, j) => Math.abs(x - expected[j]!) > 1e-3)) hit.add(former);
      }
    }
    assert.equal(hit.size, formerRules.length, "the data hits both conventions: Coop's former rules differ");
  });
});

describe("dare_ties as mergekit's", () => {
  test("does not normalize by default; normalize: true divides by the agreeing weights", () => {
    const base = [0, 0, 0, 0];
    const inputs = inputsOf(
      base,
      [
        [2, -1, 4, 0],
        [2, 3, -4, 1],
      ],
      [1, 2],
      [1, 1],
    );
    const context = { seed: 5, tensorIndex: 0 };
    const plain = mergekitTies(base, referenceModels(inputs), { sparsify: false, normalize: false });
    // weighted [2, −1, 4, 0] and [4, 6, −8, 2]: votes 6, 5, −4, 2
    assert.deepEqual(plain, [6, 6, -8, 2]);
    assertClose(dareTiesMerge(Float32Array.from(base), inputs, {}, context), plain, "default");
    assertClose(
      dareTiesMerge(Float32Array.from(base), inputs, { normalize: true }, context),
      mergekitTies(base, referenceModels(inputs), { sparsify: false, normalize: true }),
      "normalize: true",
    );
  });
});

describe("sce as mergekit's", () => {
  const base = [0, 0, 0, 0, 0, 0];
  // Variances per position (all distinct): 0, 56/9, 8, 8/3, 8/9, 2
  const models = [
    [1, 2, 0, 3, -1, 1],
    [1, -2, 0, 1, -1, 1],
    [1, 4, 6, -1, 1, 4],
  ];
  const inputs = inputsOf(base, models, [1, 1, 1], []);

  test("select_topk keeps int(fraction · positive variances): .5 rounds down", () => {
    // 5 positive variances, 0.5 · 5 = 2.5: mergekit keeps 2 (positions 2 and 1), round would keep 3
    const expected = mergekitSce(base, models, 0.5);
    assertClose(sceMerge(Float32Array.from(base), inputs, { selectTopK: 0.5 }), expected, "0.5");
    assert.equal(expected[3], 0, "position 3 (third largest variance) is not selected");
    assert.notEqual(sceMerge(Float32Array.from(base), inputs, { selectTopK: 0.5, keptCount: "round" })[3], 0);
    assertClose(
      sceMerge(Float32Array.from(base), inputs, { selectTopK: 0.6 }),
      mergekitSce(base, models, 0.6),
      "0.6",
    );
  });

  test("an unweighted vote summing to exactly zero elects +", () => {
    const zeroVote = [
      [2, -1],
      [-2, 1],
      [0, 0],
    ];
    const expected = mergekitSce([0, 0], zeroVote, 1);
    assert.ok(expected[0]! > 0 && expected[1]! > 0, expected.join(", "));
    assertClose(sceMerge(new Float32Array(2), inputsOf([0, 0], zeroVote, [1, 1, 1], [])), expected, "sce");
    assertClose(
      sceMerge(new Float32Array(2), inputsOf([0, 0], zeroVote, [1, 1, 1], []), { zeroVote: "none" }),
      [0, 0],
      "zeroVote none",
    );
  });

  test("matches the reference on integer task vectors", () => {
    const n = 199;
    const taskVectors = integerTaskVectors(3, n, 21);
    const zeros = new Array<number>(n).fill(0);
    assertClose(
      sceMerge(new Float32Array(n), inputsOf(zeros, taskVectors, [1, 1, 1], [])),
      mergekitSce(zeros, taskVectors, 1),
      "select_topk 1",
    );
  });
});

describe("slerp as mergekit's", () => {
  const pair = (a: readonly number[], b: readonly number[]): MergeInput[] => [
    { values: Float32Array.from(a), weight: 1 },
    { values: Float32Array.from(b), weight: 1 },
  ];

  test("towards a zero tensor it interpolates spherically: cos(t·π/2)·a, 0.891·a at t = 0.3", () => {
    const a = [0.5, -1, 2, 0.25];
    const zero = [0, 0, 0, 0];
    const expected = mergekitSlerp(0.3, a, zero);
    assertClose(
      expected,
      a.map((x) => Math.cos(0.15 * Math.PI) * x),
      "reference",
    );
    assertClose(slerpMerge(pair(a, zero), { t: 0.3 }), expected, "a to zero");
    assertClose(slerpMerge(pair(zero, a), { t: 0.3 }), mergekitSlerp(0.3, zero, a), "zero to a");
    // A tensor below mergekit's eps is not normalised either.
    const tiny = [1e-9, 0, 0, 0];
    assertClose(slerpMerge(pair(a, tiny), { t: 0.6 }), mergekitSlerp(0.6, a, tiny), "nearly zero");
    // slerpNearZero "linear" (Coop's former rule): 0.7·a
    assertClose(
      slerpMerge(pair(a, zero), { t: 0.3, slerpNearZero: "linear" }),
      a.map((x) => 0.7 * x),
      "linear",
    );
  });

  test("matches the reference on random tensors", () => {
    const a = Array.from(seededFloats(64, 3, 1));
    const b = Array.from(seededFloats(64, 4, 1));
    for (const t of [0, 0.25, 0.5, 0.9, 1])
      assertClose(slerpMerge(pair(a, b), { t }), mergekitSlerp(t, a, b), `t = ${t}`);
  });
});

describe("linear over adapters that touch different tensors, as mergekit", () => {
  const COLS = 32;
  const ROWS = 16;
  const RANK = 2;

  async function writeBase(path: string): Promise<void> {
    await writeGguf(path, {
      metadata: {
        "general.architecture": gguf.str("llama"),
        "general.type": gguf.str("model"),
        "tokenizer.ggml.model": gguf.str("gpt2"),
        "tokenizer.ggml.tokens": gguf.strings(["a", "b"]),
      },
      tensors: ["blk.0.attn_q.weight", "blk.0.ffn_up.weight"].map((name, i) => ({
        name,
        dims: [COLS, ROWS],
        type: GgmlType.F32,
        data: seededFloats(COLS * ROWS, 40 + i, 1),
      })),
    });
  }

  /** An adapter of one tensor, with alpha = rank so its delta is B·A. */
  async function writeAdapter(path: string, target: string, seed: number): Promise<number[]> {
    const a = seededFloats(COLS * RANK, seed, 0.5);
    const b = seededFloats(RANK * ROWS, seed + 1, 0.5);
    await writeGguf(path, {
      metadata: {
        "general.architecture": gguf.str("llama"),
        "general.type": gguf.str("adapter"),
        "adapter.type": gguf.str("lora"),
        "adapter.lora.alpha": gguf.f32(RANK),
      },
      tensors: [
        { name: `${target}.lora_a`, dims: [COLS, RANK], type: GgmlType.F32, data: a },
        { name: `${target}.lora_b`, dims: [RANK, ROWS], type: GgmlType.F32, data: b },
      ],
    });
    const delta: number[] = [];
    for (let o = 0; o < ROWS; o++)
      for (let j = 0; j < COLS; j++) {
        let sum = 0;
        for (let k = 0; k < RANK; k++) sum += b[o * RANK + k]! * a[k * COLS + j]!;
        delta.push(sum);
      }
    return delta;
  }

  async function tensor(path: string, name: string): Promise<Float32Array> {
    const file = await openGguf(path);
    try {
      return await file.readTensor(name);
    } finally {
      await file.close();
    }
  }

  test("normalized linear divides a tensor by the weights of the adapters that touch it; slerp goes spherically towards the untouched side", () =>
    withTempDir(async (dir) => {
      const base = join(dir, "base.gguf");
      await writeBase(base);
      const deltaQ = await writeAdapter(join(dir, "q.gguf"), "blk.0.attn_q.weight", 1);
      const deltaUp = await writeAdapter(join(dir, "up.gguf"), "blk.0.ffn_up.weight", 3);
      const baseQ = Array.from(await tensor(base, "blk.0.attn_q.weight"));
      const baseUp = Array.from(await tensor(base, "blk.0.ffn_up.weight"));
      const merge = async (method: "linear" | "slerp", params: MergeParams, out: string): Promise<void> => {
        await mergeModels({
          method,
          base,
          inputs: [
            { path: join(dir, "q.gguf"), weight: 2 },
            { path: join(dir, "up.gguf"), weight: 1 },
          ],
          params,
          output: { kind: "model", path: join(dir, out), type: "F32" },
        });
      };

      // mergekit merges a tensor from the models that have it: (2·δ)/2 on attn_q, (1·δ)/1 on ffn_up.
      await merge("linear", {}, "linear.gguf");
      assertClose(
        await tensor(join(dir, "linear.gguf"), "blk.0.attn_q.weight"),
        baseQ.map((b, j) => b + deltaQ[j]!),
        "attn_q",
      );
      assertClose(
        await tensor(join(dir, "linear.gguf"), "blk.0.ffn_up.weight"),
        baseUp.map((b, j) => b + deltaUp[j]!),
        "ffn_up",
      );
      // normalizeOver "all" (Coop's former rule): 2·δ/3 and δ/3.
      await merge("linear", { normalizeOver: "all" }, "linear-all.gguf");
      assertClose(
        await tensor(join(dir, "linear-all.gguf"), "blk.0.attn_q.weight"),
        baseQ.map((b, j) => b + (2 * deltaQ[j]!) / 3),
        "attn_q, normalizeOver all",
      );
      // The linear method on its own, for the record: the untouched side is a zero delta there.
      assertClose(
        linearMerge([
          { values: Float32Array.from(deltaQ), weight: 2 },
          { values: new Float32Array(deltaQ.length), weight: 1 },
        ]),
        deltaQ.map((d) => (2 * d) / 3),
        "linearMerge",
      );

      // slerp at t = 0.3 between each delta and the other adapter's zero one.
      await merge("slerp", { t: 0.3 }, "slerp.gguf");
      const zeros = new Array<number>(deltaQ.length).fill(0);
      const slerpQ = mergekitSlerp(0.3, deltaQ, zeros);
      assertClose(
        await tensor(join(dir, "slerp.gguf"), "blk.0.attn_q.weight"),
        baseQ.map((b, j) => b + slerpQ[j]!),
        "slerp attn_q",
      );
      const slerpUp = mergekitSlerp(0.3, zeros, deltaUp);
      assertClose(
        await tensor(join(dir, "slerp.gguf"), "blk.0.ffn_up.weight"),
        baseUp.map((b, j) => b + slerpUp[j]!),
        "slerp ffn_up",
      );
    }));
});
