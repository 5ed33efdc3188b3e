import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRandom } from "../../engine/linalg/index.js";
import {
  dareLinearMerge,
  dareTiesMerge,
  linearMerge,
  MergeMethodError,
  mergeTensor,
  sceMerge,
  slerpMerge,
  taskArithmeticMerge,
  tiesMerge,
  type MergeContext,
  type MergeInput,
  type MergeMethod,
  type MergeParams,
} from "../../engine/merge/methods/index.js";

const f32 = (...values: number[]): Float32Array => Float32Array.from(values);
const context: MergeContext = { seed: 1234, tensorIndex: 7 };

function assertClose(actual: Float32Array, expected: readonly number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length, "length");
  for (let j = 0; j < expected.length; j++) {
    const scale = Math.max(1, Math.abs(expected[j]!));
    assert.ok(
      Math.abs(actual[j]! - expected[j]!) <= tolerance * scale,
      `[${j}]: got ${actual[j]}, expected ${expected[j]} (all: ${Array.from(actual).join(",")})`,
    );
  }
}

/** Inputs x_i = base + tau_i, so the task vectors in a test read as written. */
function fromTaskVectors(
  base: number[],
  taskVectors: number[][],
  weights: number[],
  density?: number,
): MergeInput[] {
  return taskVectors.map((tau, i) => ({
    values: Float32Array.from(tau, (t, j) => base[j]! + t),
    weight: weights[i]!,
    density,
  }));
}

describe("linear", () => {
  const inputs: MergeInput[] = [
    { values: f32(1, 2, 3, 4), weight: 1 },
    { values: f32(5, 6, 7, 8), weight: 3 },
  ];

  test("weighted average sum(w x) / sum(w)", () => {
    // (1*1 + 3*5)/4 = 4, (1*2 + 3*6)/4 = 5, (3 + 21)/4 = 6, (4 + 24)/4 = 7
    assertClose(linearMerge(inputs), [4, 5, 6, 7]);
    assertClose(mergeTensor("linear", undefined, inputs, {}, context), [4, 5, 6, 7]);
  });

  test("normalize: false gives the plain weighted sum", () => {
    // 1*1 + 3*5 = 16, 2 + 18 = 20, 3 + 21 = 24, 4 + 24 = 28
    assertClose(linearMerge(inputs, { normalize: false }), [16, 20, 24, 28]);
  });

  test("equal weights give the plain mean and any base is ignored", () => {
    const three: MergeInput[] = [
      { values: f32(3, 0, -3), weight: 2 },
      { values: f32(6, 3, 0), weight: 2 },
      { values: f32(0, 6, 9), weight: 2 },
    ];
    // (3+6+0)/3 = 3, (0+3+6)/3 = 3, (-3+0+9)/3 = 2
    assertClose(mergeTensor("linear", f32(100, 100, 100), three, {}, context), [3, 3, 2]);
  });
});

describe("task_arithmetic", () => {
  const base = [1, 1, 1, 1];
  // tau_1 = [1, -1, 0, 2] (w 1), tau_2 = [0, 2, -2, 0] (w 0.5)
  const inputs = fromTaskVectors(
    base,
    [
      [1, -1, 0, 2],
      [0, 2, -2, 0],
    ],
    [1, 0.5],
  );

  test("base + lambda * sum(w tau)", () => {
    // sum(w tau) = [1 + 0, -1 + 1, 0 - 1, 2 + 0] = [1, 0, -1, 2]; base + 2*that = [3, 1, -1, 5]
    assertClose(taskArithmeticMerge(f32(...base), inputs, { lambda: 2 }), [3, 1, -1, 5]);
    // lambda defaults to 1: [2, 1, 0, 3]
    assertClose(mergeTensor("task_arithmetic", f32(...base), inputs, {}, context), [2, 1, 0, 3]);
  });

  test("normalize divides by the sum of weights", () => {
    // base + 2*[1, 0, -1, 2]/1.5
    assertClose(taskArithmeticMerge(f32(...base), inputs, { lambda: 2, normalize: true }), [
      1 + 4 / 3,
      1,
      1 - 4 / 3,
      1 + 8 / 3,
    ]);
  });
});

describe("ties", () => {
  test("trimming at density 0.5 keeps the floor(0.5 n) largest magnitudes", () => {
    // One input: the election picks its own signs and the disjoint mean is the trimmed value itself.
    // |tau| = [0.5, 3, 1, 2, 0.2, 0.1]; k = 3 keeps 3, 2, 1 (positions 1, 3, 2).
    const base = [10, -10, 0, 5, 5, 5];
    const inputs = fromTaskVectors(base, [[0.5, -3, 1, 2, -0.2, 0.1]], [1], 0.5);
    assertClose(tiesMerge(f32(...base), inputs), [10, -13, 1, 7, 5, 5]);
  });

  test("ties at the trimming threshold keep the lowest indices", () => {
    // |tau| = [1, 1, 2, 1, 0.5, 1]; k = 3: the 2, then two of the four 1s: positions 0 and 1.
    const base = [0, 0, 0, 0, 0, 0];
    const inputs = fromTaskVectors(base, [[1, -1, 2, 1, 0.5, 1]], [1], 0.5);
    assertClose(tiesMerge(f32(...base), inputs), [1, -1, 2, 0, 0, 0]);
    // k = floor(density * n) as mergekit's int(): 0.25 * 6 = 1.5 keeps 1, the 2 alone.
    const quarter = fromTaskVectors(base, [[1, -1, 2, 1, 0.5, 1]], [1], 0.25);
    assertClose(tiesMerge(f32(...base), quarter), [0, 0, 2, 0, 0, 0]);
    // keptCount "round" (Coop's former rule): 1.5 rounds to 2: the 2 and the first 1.
    assertClose(tiesMerge(f32(...base), quarter, { keptCount: "round" }), [1, 0, 2, 0, 0, 0]);
  });

  test("sign election is by mass, not by count, and the mean is over agreeing non-zero entries", () => {
    const base = [10, 10, 10, 10, 10];
    const taskVectors = [
      [1, 3, 1, 0, -1],
      [1, -1, 2, -2, -1],
      [-5, -1, 3, 4, 0],
    ];
    const inputs = fromTaskVectors(base, taskVectors, [1, 1, 1]);
    // pos 0: count says + (2 vs 1), mass 1+1-5 = -3 says -, so only -5 is kept: 10 - 5 = 5
    // pos 1: count says -, mass 3-1-1 = +1 says +: 10 + 3 = 13
    // pos 2: all agree: 10 + (1+2+3)/3 = 12
    // pos 3: mass 0-2+4 = 2 -> +; the zero entry does not join the mean: 10 + 4 = 14
    // pos 4: mass -2 -> -; mean of -1 and -1 (the zero is excluded): 10 - 1 = 9
    assertClose(mergeTensor("ties", f32(...base), inputs, {}, context), [5, 13, 12, 14, 9]);
    // normalize: false sums the agreeing entries: [10-5, 10+3, 10+6, 10+4, 10-2]
    assertClose(tiesMerge(f32(...base), inputs, { normalize: false }), [5, 13, 16, 14, 8]);
  });

  test("weights enter both the election and the disjoint mean", () => {
    const base = [10, 10, 10, 10, 10];
    const taskVectors = [
      [1, 3, 1, 0, -1],
      [1, -1, 2, -2, -1],
      [-5, -1, 3, 4, 0],
    ];
    const inputs = fromTaskVectors(base, taskVectors, [1, 2, 0.5]);
    // pos 0: mass 1*1 + 2*1 + 0.5*(-5) = 0.5 -> +; mean (1*1 + 2*1)/(1+2) = 1; 10 + 0.5*1 = 10.5
    // pos 1: mass 3 - 2 - 0.5 = 0.5 -> +; only input 1: 3; 10 + 0.5*3 = 11.5
    // pos 2: all +; (1*1 + 2*2 + 0.5*3)/(1+2+0.5) = 6.5/3.5; 10 + 0.5*6.5/3.5
    // pos 3: mass 0 - 4 + 2 = -2 -> - (unweighted it was +); only input 2: -2; 10 - 1 = 9
    // pos 4: mass -1 - 2 = -3 -> -; (1*(-1) + 2*(-1))/3 = -1; 10 - 0.5 = 9.5
    assertClose(tiesMerge(f32(...base), inputs, { lambda: 0.5 }), [
      10.5,
      11.5,
      10 + (0.5 * 6.5) / 3.5,
      9,
      9.5,
    ]);
  });

  test("Coop's former rules (keptCount round, zeroVote none): a position whose mass is zero keeps the base", () => {
    const base = [0, 0, 0, 0, 1];
    const former: MergeParams = { keptCount: "round", zeroVote: "none" };
    // density 0.5 of n = 5: k = round(2.5) = 3
    // tau_1 = [4, -1, 0.5, -3, 0] -> keeps 4, -3, -1      -> [4, -1, 0, -3, 0]
    // tau_2 = [-2, 2, 1, 0.1, 0]  -> keeps -2, 2, 1 (ties at 0 are not reached) -> [-2, 2, 1, 0, 0]
    const inputs = fromTaskVectors(
      base,
      [
        [4, -1, 0.5, -3, 0],
        [-2, 2, 1, 0.1, 0],
      ],
      [1, 1],
      0.5,
    );
    // pos 0: mass 2 -> +: 4;  pos 1: mass -1 + 2 = 1 -> +: 2;  pos 2: only 1 survived: 1
    // pos 3: -3;  pos 4: nothing: base 1
    assertClose(tiesMerge(f32(...base), inputs, former), [4, 2, 1, -3, 1]);
    // Equal and opposite masses elect no sign: the base is kept.
    assertClose(
      tiesMerge(
        f32(0, 0),
        fromTaskVectors(
          [0, 0],
          [
            [2, 1],
            [-2, 1],
          ],
          [1, 1],
        ),
        former,
      ),
      [0, 1],
    );
  });
});

describe("dare", () => {
  const base12 = new Array<number>(12).fill(0);
  const tau12 = Array.from({ length: 12 }, (_, j) => j + 1);

  /** Positions kept by dare_linear for a single input whose task vector has no zeros. */
  function keptPositions(output: Float32Array, base: readonly number[]): number[] {
    const kept: number[] = [];
    output.forEach((value, j) => {
      if (value !== base[j]) kept.push(j);
    });
    return kept;
  }

  test("the kept mask is reproducible per (seed, tensorIndex, input) and independent of call order", () => {
    const inputs = fromTaskVectors(base12, [tau12], [1], 0.5);
    const first = dareLinearMerge(f32(...base12), inputs, {}, context);
    dareLinearMerge(f32(...base12), inputs, {}, { seed: 1234, tensorIndex: 8 });
    dareLinearMerge(f32(...base12), inputs, {}, { seed: 99, tensorIndex: 7 });
    const again = dareLinearMerge(f32(...base12), inputs, {}, context);
    assert.deepEqual(again, first);

    // Adding a second input (equal to the base, so contributing nothing) leaves input 0's mask unchanged.
    const withSecond = [...inputs, { values: f32(...base12), weight: 1, density: 0.5 }];
    assert.deepEqual(mergeTensor("dare_linear", f32(...base12), withSecond, {}, context), first);

    // Other tensors, seeds and input positions draw other masks.
    const big = Array.from({ length: 1000 }, (_, j) => j + 1);
    const bigBase = new Array<number>(1000).fill(0);
    const mask = (ctx: MergeContext, inputIndex: number): number[] => {
      const taskVectors = [big, big].map((tau, i) => (i === inputIndex ? tau : bigBase));
      return keptPositions(
        dareLinearMerge(f32(...bigBase), fromTaskVectors(bigBase, taskVectors, [1, 1], 0.5), {}, ctx),
        bigBase,
      );
    };
    const reference = mask(context, 0);
    assert.notDeepEqual(mask({ seed: 1234, tensorIndex: 8 }, 0), reference);
    assert.notDeepEqual(mask({ seed: 1235, tensorIndex: 7 }, 0), reference);
    assert.notDeepEqual(mask(context, 1), reference);
    assert.deepEqual(mask(context, 0), reference);
  });

  test("kept values are scaled by exactly 1/(1-p), dropped ones are zero", () => {
    // density 0.25: p = 0.75, 1/(1-p) = 4 (a power of two, so exact in float32)
    const inputs = fromTaskVectors(base12, [tau12], [1], 0.25);
    const out = dareLinearMerge(f32(...base12), inputs, {}, context);
    const kept = keptPositions(out, base12);
    assert.ok(kept.length > 0 && kept.length < 12, `kept ${kept.length} of 12`);
    out.forEach((value, j) => assert.ok(value === 0 || value === 4 * tau12[j]!, `[${j}] = ${value}`));
  });

  test("over 100k elements the kept fraction is about the density and the mean task vector is preserved", () => {
    const n = 100_000;
    const random = createRandom(42);
    const base = Float32Array.from({ length: n }, () => random.normal());
    const tau = Float32Array.from({ length: n }, () => 0.5 + random.normal());
    const values = base.map((b, j) => b + tau[j]!);
    const density = 0.3;
    const out = dareLinearMerge(base, [{ values, weight: 1, density }], {}, { seed: 5, tensorIndex: 0 });
    let kept = 0;
    let rescaledSum = 0;
    let originalSum = 0;
    for (let j = 0; j < n; j++) {
      const rescaled = out[j]! - base[j]!;
      if (rescaled !== 0) kept++;
      rescaledSum += rescaled;
      originalSum += values[j]! - base[j]!;
    }
    // kept fraction: sd = sqrt(0.3 * 0.7 / 1e5) ≈ 0.0015
    assert.ok(Math.abs(kept / n - density) < 0.01, `kept fraction ${kept / n}`);
    // rescaled mean: per-element variance ≈ E[tau²]/density - mean² ≈ 1.25/0.3 - 0.25 ≈ 3.9, sd of the mean ≈
    // 0.006
    assert.ok(
      Math.abs(rescaledSum / n - originalSum / n) < 0.03,
      `means ${rescaledSum / n} vs ${originalSum / n}`,
    );
  });

  test("dare_linear combines the rescaled task vectors linearly", () => {
    // At density 1 nothing is dropped: base + lambda * sum(w tau) = [1, 1] + 2*(1*[1, -1] + 0.5*[2, 4]) = [5,
    // 3]
    const inputs = fromTaskVectors(
      [1, 1],
      [
        [1, -1],
        [2, 4],
      ],
      [1, 0.5],
      1,
    );
    assertClose(dareLinearMerge(f32(1, 1), inputs, { lambda: 2 }, context), [5, 3]);
    // normalize divides by 1.5
    assertClose(dareLinearMerge(f32(1, 1), inputs, { lambda: 2, normalize: true }, context), [
      1 + 4 / 1.5,
      1 + 2 / 1.5,
    ]);
  });

  test("dare_ties: dropped-and-rescaled task vectors, then election by mass and the disjoint mean", () => {
    const base = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const tauA = [3, -1, 2, 2, -4, 1, 1, -2, 5, 1, -1, 2];
    const tauB = [-1, 2, 2, -3, -1, 1, -6, 2, 1, -2, 1, 1];
    const density = 0.5;
    // Each input's mask, read off single-contribution dare_linear runs (input i alone at index i, the other
    // equal to the base).
    const dropped = [tauA, tauB].map((tau, i) => {
      const taskVectors = i === 0 ? [tau, base] : [base, tau];
      return Array.from(
        dareLinearMerge(f32(...base), fromTaskVectors(base, taskVectors, [1, 1], density), {}, context),
      );
    });
    dropped.forEach((d, i) => d.forEach((v, j) => assert.ok(v === 0 || v === 2 * [tauA, tauB][i]![j]!)));
    // TIES on the dropped vectors with weights 2 and 1: elected sign of 2*a + b, weighted mean of agreeing
    // entries.
    const expected = base.map((_, j) => {
      const a = dropped[0]![j]!;
      const b = dropped[1]![j]!;
      const elected = Math.sign(2 * a + b);
      let sum = 0;
      let weight = 0;
      if (a !== 0 && Math.sign(a) === elected) {
        sum += 2 * a;
        weight += 2;
      }
      if (b !== 0 && Math.sign(b) === elected) {
        sum += b;
        weight += 1;
      }
      return weight === 0 ? 0 : sum / weight;
    });
    const inputs = fromTaskVectors(base, [tauA, tauB], [2, 1], density);
    assertClose(dareTiesMerge(f32(...base), inputs, { normalize: true }, context), expected);
    assertClose(mergeTensor("dare_ties", f32(...base), inputs, { normalize: true }, context), expected);
  });

  test("dare_ties at density 1 is ties at density 1, without normalizing unless asked (as mergekit)", () => {
    const base = [10, 10, 10, 10, 10];
    const inputs = fromTaskVectors(
      base,
      [
        [1, 3, 1, 0, -1],
        [1, -1, 2, -2, -1],
        [-5, -1, 3, 4, 0],
      ],
      [1, 1, 1],
    );
    assertClose(dareTiesMerge(f32(...base), inputs, { normalize: true }, context), [5, 13, 12, 14, 9]);
    assertClose(
      dareTiesMerge(f32(...base), inputs, {}, context),
      Array.from(tiesMerge(f32(...base), inputs, { normalize: false })),
    );
    assertClose(dareTiesMerge(f32(...base), inputs, {}, context), [5, 13, 16, 14, 8]);
  });
});

describe("sce", () => {
  const base = [0, 0, 0, 0, 0, 0];
  const taskVectors = [
    [1, 2, 0, 3, -1, 1],
    [1, -2, 0, 1, -1, 1],
    [1, 4, 6, -1, 1, 4],
  ];
  const inputs = fromTaskVectors(base, taskVectors, [1, 1, 1]);

  test("selects by variance, weights by squared norm, erases minority signs", () => {
    // Population variances per position:
    //   0: [1, 1, 1]    -> 0
    //   1: [2, -2, 4]   mean 4/3, deviations 2/3, -10/3, 8/3 -> (4 + 100 + 64)/9/3 = 56/9 ≈ 6.22
    //   2: [0, 0, 6]    mean 2 -> (4 + 4 + 16)/3 = 8
    //   3: [3, 1, -1]   mean 1 -> (4 + 0 + 4)/3 = 8/3 ≈ 2.67
    //   4: [-1, -1, 1]  mean -1/3 -> (4/9 + 4/9 + 16/9)/3 = 8/9
    //   5: [1, 1, 4]    mean 2 -> (1 + 1 + 4)/3 = 2
    // 5 positions have non-zero variance; selectTopK 0.6 keeps round(3) = 3 of them: positions 2, 1, 3.
    // Selected task vectors: t1 = [0, 2, 0, 3, 0, 0], t2 = [0, -2, 0, 1, 0, 0], t3 = [0, 4, 6, -1, 0, 0]
    // Squared norms: 4 + 9 = 13, 4 + 1 = 5, 16 + 36 + 1 = 53; total 71 -> eta = [13, 5, 53]/71
    // Erase by the sign of the plain sum: pos 1: 2-2+4 > 0 drops t2; pos 2: only t3; pos 3: 3+1-1 > 0 drops
    // t3. pos 1: (13*2 + 53*4)/(13 + 53) = 238/66; pos 2: 6; pos 3: (13*3 + 5*1)/(13 + 5) = 44/18
    assertClose(sceMerge(f32(...base), inputs, { selectTopK: 0.6 }), [0, 238 / 66, 6, 44 / 18, 0, 0]);
    // Without the division by the kept weights: pos 1: 238/71, pos 2: 53*6/71 = 318/71, pos 3: 44/71
    assertClose(mergeTensor("sce", f32(...base), inputs, { selectTopK: 0.6, normalize: false }, context), [
      0,
      238 / 71,
      318 / 71,
      44 / 71,
      0,
      0,
    ]);
  });

  test("selectTopK 1 keeps every position and the input weights play no part", () => {
    // Squared norms: 1+4+0+9+1+1 = 16, 1+4+0+1+1+1 = 8, 1+16+36+1+1+16 = 71 -> eta = [16, 8, 71]/95
    // pos 0: all 1 -> 1;  pos 1: sum 4 > 0, (16*2 + 71*4)/(16 + 71) = 316/87;  pos 2: 6
    // pos 3: sum 3 > 0, (16*3 + 8*1)/24 = 56/24; pos 4: sum -1 < 0, t1 and t2: -1; pos 5: (16 + 8 + 71*4)/95
    // = 308/95
    const expected = [1, 316 / 87, 6, 56 / 24, -1, 308 / 95];
    assertClose(sceMerge(f32(...base), inputs), expected);
    assertClose(sceMerge(f32(...base), fromTaskVectors(base, taskVectors, [5, 0.1, 2])), expected);
    // lambda scales the merged task vector; a non-zero base is added back.
    const shifted = [1, 2, 3, 4, 5, 6];
    const shiftedInputs = fromTaskVectors(shifted, taskVectors, [1, 1, 1]);
    assertClose(
      sceMerge(f32(...shifted), shiftedInputs, { lambda: 0.5 }),
      expected.map((d, j) => shifted[j]! + 0.5 * d),
      1e-5,
    );
  });
});

describe("slerp", () => {
  const a = f32(1, 0, 0, 0);
  const b = f32(0, 1, 0, 0);
  const pair = (x: Float32Array, y: Float32Array): MergeInput[] => [
    { values: x, weight: 1 },
    { values: y, weight: 1 },
  ];

  test("t = 0 and t = 1 return the endpoints", () => {
    assertClose(slerpMerge(pair(a, b), { t: 0 }), [1, 0, 0, 0]);
    assertClose(slerpMerge(pair(a, b), { t: 1 }), [0, 1, 0, 0]);
  });

  test("t = 0.5 between orthogonal vectors is the bisector on the sphere", () => {
    // theta = pi/2: sin(pi/4)/sin(pi/2) = sqrt(2)/2 on each, a unit vector (linear interpolation would give
    // norm 0.707)
    const h = Math.SQRT1_2;
    assertClose(slerpMerge(pair(a, b), { t: 0.5 }), [h, h, 0, 0]);
    // Length 2 vectors: the arc has radius 2, so the bisector is 2 * [h, h]
    assertClose(
      mergeTensor("slerp", undefined, pair(f32(2, 0, 0, 0), f32(0, 2, 0, 0)), { t: 0.5 }, context),
      [2 * h, 2 * h, 0, 0],
    );
    // t = 0.25: sin(3pi/8) * a + sin(pi/8) * b
    assertClose(slerpMerge(pair(a, b), { t: 0.25 }), [
      Math.sin((3 * Math.PI) / 8),
      Math.sin(Math.PI / 8),
      0,
      0,
    ]);
  });

  test("nearly colinear tensors fall back to linear interpolation", () => {
    // cos = 1: 0.75 * [1, 2, 3] + 0.25 * [2, 4, 6] = [1.25, 2.5, 3.75]
    assertClose(slerpMerge(pair(f32(1, 2, 3), f32(2, 4, 6)), { t: 0.25 }), [1.25, 2.5, 3.75]);
    // cos = 1/sqrt(1.0001) ≈ 0.99995 > 0.9995: midpoint of [1, 0] and [1, 0.01]
    assertClose(slerpMerge(pair(f32(1, 0), f32(1, 0.01)), { t: 0.5 }), [1, 0.005]);
    // cos = -1 (opposite): the midpoint is zero
    assertClose(slerpMerge(pair(f32(1, -2), f32(-1, 2)), { t: 0.5 }), [0, 0]);
  });
});

describe("validation", () => {
  function throwsMergeError(run: () => unknown, parameter: string, message: RegExp): void {
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof MergeMethodError, `not a MergeMethodError: ${String(error)}`);
      assert.equal(error.parameter, parameter);
      assert.match(error.message, message);
      return true;
    });
  }
  const merge =
    (method: MergeMethod, base: Float32Array | undefined, inputs: MergeInput[], params: MergeParams = {}) =>
    () =>
      mergeTensor(method, base, inputs, params, context);
  const two: MergeInput[] = [
    { values: f32(1, 2, 3), weight: 1 },
    { values: f32(4, 5, 6), weight: 1 },
  ];

  test("lengths must be equal, naming both lengths", () => {
    throwsMergeError(
      merge("linear", undefined, [two[0]!, { values: f32(1, 2), weight: 1 }]),
      "inputs[1].values",
      /2 elements.*has 3/,
    );
    throwsMergeError(merge("ties", f32(0, 0, 0, 0), two), "base", /4 elements.*has 3/);
  });

  test("weights must be finite and densities in (0, 1]", () => {
    throwsMergeError(
      merge("linear", undefined, [two[0]!, { values: f32(1, 2, 3), weight: Number.NaN }]),
      "inputs[1].weight",
      /finite/,
    );
    throwsMergeError(
      merge("linear", undefined, [{ values: f32(1), weight: Infinity }]),
      "inputs[0].weight",
      /finite/,
    );
    throwsMergeError(
      merge("ties", f32(0, 0, 0), [{ ...two[0]!, density: 0 }]),
      "inputs[0].density",
      /\(0, 1\]/,
    );
    throwsMergeError(
      merge("dare_ties", f32(0, 0, 0), [{ ...two[0]!, density: 1.5 }]),
      "inputs[0].density",
      /\(0, 1\]/,
    );
  });

  test("task-vector methods need a base", () => {
    for (const method of ["task_arithmetic", "ties", "dare_linear", "dare_ties", "sce"] as const) {
      throwsMergeError(merge(method, undefined, two), "base", new RegExp(`${method} .*needs the base`));
    }
  });

  test("slerp needs exactly two inputs and t in [0, 1]", () => {
    throwsMergeError(
      merge("slerp", undefined, [...two, two[0]!], { t: 0.5 }),
      "inputs",
      /exactly two.*got 3/,
    );
    throwsMergeError(merge("slerp", undefined, two), "params.t", /needs/);
    throwsMergeError(merge("slerp", undefined, two, { t: 1.5 }), "params.t", /\[0, 1\]/);
  });

  test("parameters, weight sums, methods and contexts are checked", () => {
    throwsMergeError(
      merge("task_arithmetic", f32(0, 0, 0), two, { lambda: Number.NaN }),
      "params.lambda",
      /finite/,
    );
    throwsMergeError(merge("sce", f32(0, 0, 0), two, { selectTopK: 0 }), "params.selectTopK", /\(0, 1\]/);
    throwsMergeError(
      merge("linear", undefined, [
        { ...two[0]!, weight: 1 },
        { ...two[1]!, weight: -1 },
      ]),
      "inputs[].weight",
      /sum to zero/,
    );
    throwsMergeError(merge("linear", undefined, []), "inputs", /at least one/);
    throwsMergeError(
      merge("average" as MergeMethod, undefined, two),
      "method",
      /unknown merge method "average"/,
    );
    throwsMergeError(
      () => dareLinearMerge(f32(0, 0, 0), two, {}, { seed: 0.5, tensorIndex: 0 }),
      "context.seed",
      /integer/,
    );
  });
});

describe("speed", () => {
  test("linear merges two 16M-element tensors in under 5 s", () => {
    const n = 16 * 1024 * 1024;
    const a = new Float32Array(n).fill(1);
    const b = new Float32Array(n).fill(3);
    const start = performance.now();
    const out = linearMerge([
      { values: a, weight: 1 },
      { values: b, weight: 1 },
    ]);
    const seconds = (performance.now() - start) / 1000;
    assert.equal(out[n - 1], 2);
    assert.ok(seconds < 5, `took ${seconds.toFixed(2)} s`);
  });
});
