import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bfloat16ToFloat,
  decodeTensor,
  encodeTensor,
  floatToBfloat16,
  floatToHalf,
  GgmlType,
  halfToFloat,
} from "../../engine/gguf/index.js";
import { seededFloats } from "../support/ggufTemp.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]!);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]!);

describe("float16", () => {
  test("decodes zeros, normals, subnormals, the largest value, infinities and NaN", () => {
    assert.ok(Object.is(halfToFloat(0x0000), 0));
    assert.ok(Object.is(halfToFloat(0x8000), -0));
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x3555), 0.333251953125);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0400), 2 ** -14, "smallest normal");
    assert.equal(halfToFloat(0x0001), 2 ** -24, "smallest subnormal");
    assert.equal(halfToFloat(0x03ff), 1023 * 2 ** -24, "largest subnormal");
    assert.equal(halfToFloat(0x8001), -(2 ** -24));
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.ok(Number.isNaN(halfToFloat(0x7c01)));
    assert.ok(Number.isNaN(halfToFloat(0xffff)));
  });

  test("encodes with round-to-nearest-even, overflow to infinity, underflow to signed zero and quiet NaN", () => {
    assert.equal(floatToHalf(1), 0x3c00);
    assert.equal(floatToHalf(-0), 0x8000);
    assert.equal(floatToHalf(65504), 0x7bff);
    assert.equal(floatToHalf(65519.996), 0x7bff, "just under the rounding boundary");
    assert.equal(floatToHalf(65520), 0x7c00, "the tie above 65504 rounds to even, which is infinity");
    assert.equal(floatToHalf(1e6), 0x7c00);
    assert.equal(floatToHalf(-1e30), 0xfc00);
    assert.equal(floatToHalf(Infinity), 0x7c00);
    assert.equal(floatToHalf(-Infinity), 0xfc00);
    assert.equal(floatToHalf(NaN), 0x7e00);
    assert.equal(floatToHalf(fromBits(0xffc00001)), 0xfe00, "NaN keeps its sign");
    assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00, "tie between 1 and 1+2^-10 goes to the even 1");
    assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02, "tie between odd and even goes to even");
    assert.equal(floatToHalf(2 ** -24), 0x0001);
    assert.equal(floatToHalf(2 ** -25), 0x0000, "half the smallest subnormal ties to even zero");
    assert.equal(floatToHalf(-(2 ** -25)), 0x8000);
    assert.equal(floatToHalf(fromBits(bitsOf(2 ** -25) + 1)), 0x0001, "just above the tie rounds up");
    assert.equal(floatToHalf(3 * 2 ** -25), 0x0002, "1.5 subnormal units tie to even 2");
    assert.equal(
      floatToHalf(2 ** -14 - 2 ** -25),
      0x0400,
      "the tie between the largest subnormal and smallest normal goes to even",
    );
    assert.equal(floatToHalf(1e-10), 0x0000);
    assert.equal(floatToHalf(fromBits(1)), 0x0000, "float32 subnormals flush to zero");
  });

  test("every half value survives decode then encode", () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = halfToFloat(h);
      if (Number.isNaN(x)) assert.ok(Number.isNaN(halfToFloat(floatToHalf(x))));
      else if (floatToHalf(x) !== h)
        assert.fail(`0x${h.toString(16)} -> ${x} -> 0x${floatToHalf(x).toString(16)}`);
    }
  });

  test("every midpoint between neighbouring halves rounds to the even one, and its float32 neighbours round away from the tie", () => {
    for (let h = 0; h < 0x7bff; h++) {
      for (const sign of [0, 0x8000]) {
        const low = halfToFloat(h | sign);
        const high = halfToFloat((h + 1) | sign);
        const mid = (low + high) / 2;
        assert.equal(Math.fround(mid), mid);
        const even = (h & 1) === 0 ? h : h + 1;
        const midBits = bitsOf(mid);
        if (floatToHalf(mid) !== (even | sign)) assert.fail(`midpoint of 0x${h.toString(16)} and next`);
        // One float32 step toward `low` / toward `high` (magnitudes: bits - 1 / bits + 1).
        if (floatToHalf(fromBits(midBits - 1)) !== (h | sign))
          assert.fail(`below midpoint of 0x${h.toString(16)}`);
        if (floatToHalf(fromBits(midBits + 1)) !== ((h + 1) | sign))
          assert.fail(`above midpoint of 0x${h.toString(16)}`);
      }
    }
  });

  test("random floats encode to the nearest half", () => {
    const values = seededFloats(20000, 7, 70000);
    for (const x of values) {
      const h = floatToHalf(x);
      const y = halfToFloat(h);
      if (Math.abs(x) >= 65520) {
        assert.equal(Math.abs(y), Infinity);
        continue;
      }
      for (const neighbour of [h - 1, h + 1]) {
        if ((neighbour & 0x7fff) > 0x7bff || neighbour < 0) continue;
        const z = halfToFloat(neighbour);
        assert.ok(Math.abs(x - y) <= Math.abs(x - z), `${x}: got ${y}, ${z} is nearer`);
      }
    }
  });
});

describe("bfloat16", () => {
  test("converts with round-to-nearest-even, keeps subnormals, quiets NaN", () => {
    assert.equal(floatToBfloat16(1), 0x3f80);
    assert.equal(bfloat16ToFloat(0x3f80), 1);
    assert.equal(floatToBfloat16(-0), 0x8000);
    assert.equal(floatToBfloat16(fromBits(0x3f808000)), 0x3f80, "tie to even (down)");
    assert.equal(floatToBfloat16(fromBits(0x3f818000)), 0x3f82, "tie to even (up)");
    assert.equal(floatToBfloat16(fromBits(0x3f808001)), 0x3f81, "above the tie");
    assert.equal(floatToBfloat16(fromBits(0x3f807fff)), 0x3f80, "below the tie");
    assert.equal(floatToBfloat16(fromBits(0x7f7fffff)), 0x7f80, "largest float rounds to infinity");
    assert.equal(floatToBfloat16(Infinity), 0x7f80);
    assert.equal(floatToBfloat16(-Infinity), 0xff80);
    assert.equal(floatToBfloat16(fromBits(0x00010000)), 0x0001, "subnormal kept");
    assert.equal(floatToBfloat16(fromBits(0x7f800001)), 0x7fc0, "signalling NaN is quieted");
    assert.equal(floatToBfloat16(fromBits(0xffc12345)), 0xffc1);
    assert.ok(Number.isNaN(bfloat16ToFloat(0x7fc0)));
    assert.equal(bfloat16ToFloat(0x0001), fromBits(0x00010000));
    for (let b = 0; b < 0x10000; b++) {
      const x = bfloat16ToFloat(b);
      if (!Number.isNaN(x) && floatToBfloat16(x) !== b) assert.fail(`0x${b.toString(16)} does not survive`);
    }
  });
});

describe("float tensor codecs", () => {
  test("F16 and BF16 tensors encode element by element like the scalar conversions, little-endian", () => {
    const values = new Float32Array([
      0,
      -0,
      1,
      -2.5,
      65504,
      70000,
      2 ** -24,
      2 ** -25,
      NaN,
      Infinity,
      0.1,
      1e-8,
    ]);
    const f16 = encodeTensor(GgmlType.F16, values);
    const bf16 = encodeTensor(GgmlType.BF16, values);
    assert.equal(f16.length, values.length * 2);
    for (let i = 0; i < values.length; i++) {
      assert.equal(f16[2 * i]! | (f16[2 * i + 1]! << 8), floatToHalf(values[i]!), `f16 ${i}`);
      assert.equal(bf16[2 * i]! | (bf16[2 * i + 1]! << 8), floatToBfloat16(values[i]!), `bf16 ${i}`);
    }
    const back16 = decodeTensor(GgmlType.F16, f16, values.length);
    const backBf = decodeTensor(GgmlType.BF16, bf16, values.length);
    for (let i = 0; i < values.length; i++) {
      assert.ok(Object.is(back16[i], halfToFloat(floatToHalf(values[i]!))), `f16 ${i}`);
      assert.ok(Object.is(backBf[i], bfloat16ToFloat(floatToBfloat16(values[i]!))), `bf16 ${i}`);
    }
  });

  test("decoding keeps NaN payload bits and unaligned input works", () => {
    const raw = new Uint8Array([0xff, 0x01, 0x7d, 0x00, 0x3c]);
    const out = decodeTensor(GgmlType.F16, raw.subarray(1), 2);
    assert.equal(
      new Uint32Array(out.buffer)[0],
      0x7fa02000,
      "0x7d01 -> float NaN bits with the payload shifted",
    );
    assert.equal(out[1], 1);
    const f32bytes = new Uint8Array([9, 0, 0, 0x80, 0x3f]);
    assert.deepEqual(Array.from(decodeTensor(GgmlType.F32, f32bytes.subarray(1), 1)), [1]);
  });

  test("codecs reject what they cannot do, with the type named", () => {
    assert.throws(
      () => encodeTensor(GgmlType.Q2_K, new Float32Array(256)),
      /unsupported tensor type Q2_K for encoding/,
    );
    assert.throws(
      () => decodeTensor(GgmlType.Q4_1, new Uint8Array(20), 32),
      /unsupported tensor type Q4_1 for decoding/,
    );
    assert.throws(
      () => decodeTensor(GgmlType.Q8_0, new Uint8Array(34), 31),
      /not a multiple of the block size 32/,
    );
    assert.throws(() => decodeTensor(GgmlType.Q8_0, new Uint8Array(33), 32), /take 34 bytes, got 33/);
    assert.throws(
      () => encodeTensor(GgmlType.Q8_0, new Float32Array(33)),
      /not a multiple of the block size 32/,
    );
    assert.throws(() => encodeTensor(GgmlType.Q8_0, new Float32Array(32).fill(NaN)), /cannot quantize NaN/);
  });
});
