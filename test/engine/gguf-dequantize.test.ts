import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  decodeTensor,
  encodeTensor,
  GgmlType,
  GgufWriter,
  halfToFloat,
  openGguf,
} from "../../engine/gguf/index.js";
import { concatBytes, packQ4_0, packQ4_K, packQ5_K, packQ6_K, packQ8_0 } from "../support/ggufBlocks.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

const fround = Math.fround;
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

// Halves used as scales: 0.5, 0.25, an inexact 1/3, a subnormal, the largest finite, -0, infinity, NaN.
const HALF_0_5 = 0x3800;
const HALF_0_25 = 0x3400;
const HALF_THIRD = 0x3555; // 0.333251953125
const HALF_SUBNORMAL = 0x0001; // 2^-24
const HALF_MAX = 0x7bff; // 65504

// Q4_K / Q5_K sub-block scales and mins (6 bits each).
const scales = [1, 2, 3, 63, 17, 32, 48, 5];
const mins = [0, 63, 7, 16, 33, 1, 62, 4];

function assertFloatsEqual(actual: Float32Array, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]))
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe("dequantizing hand-packed blocks", () => {
  test("Q4_0: x = d * (q - 8), low nibbles first", () => {
    const q1 = range(32, (i) => i % 16);
    const q2 = range(32, (i) => 15 - (i % 16));
    const bytes = concatBytes(
      packQ4_0(HALF_0_5, q1),
      packQ4_0(HALF_THIRD, q2),
      packQ4_0(HALF_MAX, q1),
      packQ4_0(HALF_SUBNORMAL, q1),
    );
    const third = halfToFloat(HALF_THIRD);
    const expected = [
      ...q1.map((q) => (q - 8) * 0.5),
      ...q2.map((q) => fround((q - 8) * third)),
      ...q1.map((q) => (q - 8) * 65504),
      ...q1.map((q) => (q - 8) * 2 ** -24),
    ];
    assertFloatsEqual(decodeTensor(GgmlType.Q4_0, bytes, 128), expected, "Q4_0");
    assert.equal(decodeTensor(GgmlType.Q4_0, bytes, 128)[0], -4, "q=0 at d=0.5 is -4");
    assert.equal(decodeTensor(GgmlType.Q4_0, bytes, 128)[15], 3.5, "q=15 at d=0.5 is 3.5");
  });

  test("Q8_0: x = d * q with signed quants, and f16 edge cases of d", () => {
    const quants = range(32, (i) => (i * 8 - 128) | 0).map((q) => Math.max(-128, Math.min(127, q)));
    const specials = [-1, 0, 1, 127, -128, 0, 0, 0, ...range(24, () => 2)];
    const bytes = concatBytes(
      packQ8_0(HALF_0_25, quants),
      packQ8_0(0x7c00, specials), // d = +inf
      packQ8_0(0x8000, specials), // d = -0
      packQ8_0(0x7e00, specials), // d = NaN
      packQ8_0(0x03ff, specials), // largest subnormal
    );
    const out = decodeTensor(GgmlType.Q8_0, bytes, 160);
    assertFloatsEqual(
      out.subarray(0, 32),
      quants.map((q) => q * 0.25),
      "d=0.25",
    );
    assertFloatsEqual(
      out.subarray(32, 40),
      [-Infinity, NaN, Infinity, Infinity, -Infinity, NaN, NaN, NaN],
      "d=inf",
    );
    assertFloatsEqual(out.subarray(64, 72), [0, -0, -0, -0, 0, -0, -0, -0], "d=-0");
    assert.ok(Array.from(out.subarray(96, 128)).every(Number.isNaN), "d=NaN");
    assertFloatsEqual(
      out.subarray(128, 133),
      [-1023 * 2 ** -24, 0, 1023 * 2 ** -24, 127 * 1023 * 2 ** -24, -128 * 1023 * 2 ** -24],
      "subnormal d",
    );
  });

  function kReference(d: number, dmin: number, q: readonly number[], bits: number): number[] {
    return q.map((v, e) => {
      const sub = Math.floor(e / 32);
      assert.ok(v >= 0 && v < 2 ** bits);
      return fround(fround(fround(d * scales[sub]!) * v) - fround(dmin * mins[sub]!));
    });
  }

  test("Q4_K: x = d*scale*q - dmin*min per 32-element sub-block, 6-bit scales and mins packed in 12 bytes", () => {
    const quants = range(256, (e) => (e * 7 + (e >> 5)) % 16);
    const exact = packQ4_K(HALF_0_5, HALF_0_25, scales, mins, quants);
    const out = decodeTensor(GgmlType.Q4_K, exact, 256);
    assertFloatsEqual(out, kReference(0.5, 0.25, quants, 4), "Q4_K exact");
    // Worked by hand: element 0 has q 0, sub-block 0 (scale 1, min 0): 0. Element 1: q 7 -> 0.5*1*7 = 3.5.
    assert.equal(out[1], 3.5);
    // Element 100: sub-block 3 (scale 63, min 16), q = (700 + 3) % 16 = 15 -> 0.5*63*15 - 0.25*16 = 468.5.
    assert.equal(out[100], 468.5);
    // Element 200: sub-block 6 (scale 48, min 62), q = (1400 + 6) % 16 = 14 -> 0.5*48*14 - 0.25*62 = 320.5.
    assert.equal(out[200], 320.5);

    const inexact = packQ4_K(HALF_THIRD, 0x2e66 /* ~0.1 */, scales, mins, quants);
    const two = decodeTensor(GgmlType.Q4_K, concatBytes(exact, inexact), 512);
    assertFloatsEqual(
      two.subarray(256),
      kReference(halfToFloat(HALF_THIRD), halfToFloat(0x2e66), quants, 4),
      "Q4_K second block",
    );
  });

  test("Q5_K: as Q4_K with a fifth bit per element from qh", () => {
    const quants = range(256, (e) => (e * 11 + (e >> 4)) % 32);
    const bytes = packQ5_K(HALF_0_5, HALF_0_25, scales, mins, quants);
    const out = decodeTensor(GgmlType.Q5_K, bytes, 256);
    assertFloatsEqual(out, kReference(0.5, 0.25, quants, 5), "Q5_K");
    // Element 255: sub-block 7 (scale 5, min 4), q = (2805 + 15) % 32 = 4 -> 0.5*5*4 - 0.25*4 = 9.
    assert.equal(out[255], 9);
    // Element 33: sub-block 1 (scale 2, min 63), q = (363 + 2) % 32 = 13 -> 0.5*2*13 - 0.25*63 = -2.75.
    assert.equal(out[33], -2.75);
    const high = packQ5_K(HALF_THIRD, 0x2e66, scales, mins, quants);
    assertFloatsEqual(
      decodeTensor(GgmlType.Q5_K, high, 256),
      kReference(halfToFloat(HALF_THIRD), halfToFloat(0x2e66), quants, 5),
      "Q5_K inexact",
    );
  });

  test("Q6_K: x = d * scale * (q - 32) with 16 signed 8-bit scales of 16 elements", () => {
    const quants = range(256, (e) => (e * 13 + (e >> 3)) % 64);
    const q6scales = [1, -1, 127, -128, 2, 3, -7, 64, 0, 5, -33, 100, 9, -9, 1, 11];
    const reference = (d: number) =>
      quants.map((q, e) => fround(fround(d * q6scales[Math.floor(e / 16)]!) * (q - 32)));
    const bytes = packQ6_K(HALF_0_5, q6scales, quants);
    const out = decodeTensor(GgmlType.Q6_K, bytes, 256);
    assertFloatsEqual(out, reference(0.5), "Q6_K");
    // Element 50: scale index 3 (-128), q = (650 + 6) % 64 = 16 -> 0.5 * -128 * (16 - 32) = 1024.
    assert.equal(out[50], 1024);
    // Element 130: scale index 8 (0) -> 0 whatever q is.
    assert.equal(out[130], 0);
    const inexact = packQ6_K(HALF_THIRD, q6scales, quants);
    assertFloatsEqual(
      decodeTensor(GgmlType.Q6_K, concatBytes(bytes, inexact), 512).subarray(256),
      reference(halfToFloat(HALF_THIRD)),
      "Q6_K second block",
    );
  });
});

describe("Q8_0 quantization", () => {
  test("follows quantize_row_q8_0_ref: d = amax/127 as f16, q = round half away from zero", () => {
    const values = new Float32Array(64);
    values[0] = 127;
    values[1] = -0.5;
    values[2] = 0.5;
    values[3] = 1.5;
    values[4] = -2.5;
    values[5] = -127;
    // Second block: all zeros gives d = 0 and zero quants.
    const bytes = encodeTensor(GgmlType.Q8_0, values);
    assert.equal(bytes.length, 68);
    assert.equal(bytes[0]! | (bytes[1]! << 8), 0x3c00, "d = 127/127 = 1");
    assert.deepEqual(
      Array.from(bytes.subarray(2, 8)).map((b) => (b << 24) >> 24),
      [127, -1, 1, 2, -3, -127],
    );
    assert.deepEqual(Array.from(bytes.subarray(34, 68)), new Array(34).fill(0));
  });
});

describe("dequantizing reads from a file", () => {
  test("readTensor and readRows dequantize Q4_0, Q4_K, Q5_K, Q6_K and Q8_0 tensors like decodeTensor", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "quants.gguf");
      const blocks = {
        q4_0: concatBytes(
          ...range(16, (i) =>
            packQ4_0(
              HALF_0_5 + i,
              range(32, (e) => (e + i) % 16),
            ),
          ),
        ),
        q4_k: concatBytes(
          ...range(6, (i) =>
            packQ4_K(
              HALF_THIRD + i,
              HALF_0_25,
              scales,
              mins,
              range(256, (e) => (e * i) % 16),
            ),
          ),
        ),
        q5_k: concatBytes(
          ...range(4, (i) =>
            packQ5_K(
              HALF_0_5,
              HALF_THIRD - i,
              scales,
              mins,
              range(256, (e) => (e + 3 * i) % 32),
            ),
          ),
        ),
        q6_k: concatBytes(
          ...range(3, (i) =>
            packQ6_K(
              HALF_THIRD + 7 * i,
              range(16, (s) => s * 9 - 70),
              range(256, (e) => (e * 5 + i) % 64),
            ),
          ),
        ),
        q8_0: encodeTensor(GgmlType.Q8_0, seededFloats(96, 3)),
      };
      const layout: [string, number[], GgmlType, Uint8Array][] = [
        ["q4_0", [64, 8], GgmlType.Q4_0, blocks.q4_0],
        ["q4_k", [512, 3], GgmlType.Q4_K, blocks.q4_k],
        ["q5_k", [256, 2, 2], GgmlType.Q5_K, blocks.q5_k],
        ["q6_k", [768], GgmlType.Q6_K, blocks.q6_k],
        ["q8_0", [32, 3], GgmlType.Q8_0, blocks.q8_0],
      ];
      const writer = await GgufWriter.create(path);
      for (const [name, dims, type] of layout) writer.addTensor(name, dims, type);
      for (const [name, , , bytes] of layout) await writer.writeTensor(name, bytes);
      await writer.finish();

      const file = await openGguf(path);
      try {
        for (const [name, dims, type, bytes] of layout) {
          const info = file.tensor(name)!;
          assert.equal(info.type, type);
          assert.deepEqual(info.dims, dims);
          const expected = decodeTensor(type, bytes, info.elementCount);
          assert.deepEqual(await file.readTensor(name), expected, name);
          assert.deepEqual(await file.readTensorBytes(info), bytes, name);
          const rows = file.rowCount(info);
          const rowLength = dims[0]!;
          const last = await file.readRows(info, rows - 1, 1);
          assert.deepEqual(last, expected.subarray((rows - 1) * rowLength), `${name} last row`);
        }
      } finally {
        await file.close();
      }
    });
  });
});
