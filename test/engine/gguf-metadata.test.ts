import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  GgmlType,
  GgufValueType,
  GgufWriter,
  gguf,
  openGguf,
  plainValue,
  writeGguf,
  type GgufValue,
} from "../../engine/gguf/index.js";
import { withTempDir } from "../support/ggufTemp.js";

const everyType: [string, GgufValue][] = [
  ["t.u8.max", gguf.u8(255)],
  ["t.u8.min", gguf.u8(0)],
  ["t.i8.min", gguf.i8(-128)],
  ["t.i8.max", gguf.i8(127)],
  ["t.u16", gguf.u16(65535)],
  ["t.i16", gguf.i16(-32768)],
  ["t.u32", gguf.u32(4294967295)],
  ["t.i32", gguf.i32(-2147483648)],
  ["t.f32", gguf.f32(Math.fround(3.14159))],
  ["t.f32.negzero", gguf.f32(-0)],
  ["t.f32.inf", gguf.f32(-Infinity)],
  ["t.bool.true", gguf.bool(true)],
  ["t.bool.false", gguf.bool(false)],
  ["t.str", gguf.str("plain")],
  ["t.str.empty", gguf.str("")],
  ["t.str.unicode", gguf.str("héllo wörld — 日本語 🦙 \u{10FFFF} \uFEFFbom")],
  ["t.str.nul", gguf.str("a\u0000b")],
  ["t.u64.max", gguf.u64(18446744073709551615n)],
  ["t.u64.zero", gguf.u64(0n)],
  ["t.i64.min", gguf.i64(-9223372036854775808n)],
  ["t.i64.max", gguf.i64(9223372036854775807n)],
  ["t.f64", gguf.f64(Math.PI)],
  ["t.f64.tiny", gguf.f64(Number.MIN_VALUE)],
  ["t.arr.strings", gguf.strings(["a", "", "ünï", "🦙🦙", " space "])],
  ["t.arr.empty.str", gguf.strings([])],
  ["t.arr.empty.u8", gguf.array(GgufValueType.UINT8, [])],
  ["t.arr.f32", gguf.f32s([1.5, -2.25, 0])],
  ["t.arr.i32", gguf.i32s([-1, 0, 2147483647])],
  ["t.arr.u64", gguf.array(GgufValueType.UINT64, [gguf.u64(1n), gguf.u64(18446744073709551615n)])],
  ["t.arr.i64", gguf.array(GgufValueType.INT64, [gguf.i64(-9223372036854775808n)])],
  ["t.arr.bool", gguf.array(GgufValueType.BOOL, [gguf.bool(true), gguf.bool(false)])],
  ["t.arr.f64", gguf.array(GgufValueType.FLOAT64, [gguf.f64(1e300), gguf.f64(-1e-300)])],
  ["t.arr.u8", gguf.array(GgufValueType.UINT8, [gguf.u8(0), gguf.u8(255)])],
  ["t.arr.i8", gguf.array(GgufValueType.INT8, [gguf.i8(-128)])],
  ["t.arr.u16", gguf.array(GgufValueType.UINT16, [gguf.u16(65535)])],
  ["t.arr.i16", gguf.array(GgufValueType.INT16, [gguf.i16(-32768)])],
  ["t.arr.u32", gguf.array(GgufValueType.UINT32, [gguf.u32(4294967295)])],
  [
    "t.arr.nested",
    gguf.array(GgufValueType.ARRAY, [
      gguf.strings(["x", "y"]),
      gguf.strings([]),
      gguf.array(GgufValueType.ARRAY, [gguf.i32s([1, 2]), gguf.array(GgufValueType.FLOAT32, [])]),
    ]),
  ],
  ["t.arr.nested.empty", gguf.array(GgufValueType.ARRAY, [])],
];

describe("gguf metadata round trip", () => {
  test("every value type, arrays of strings, empty and nested arrays, 64-bit extremes and unicode", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "meta.gguf");
      await writeGguf(path, { metadata: everyType, tensors: [] });
      const file = await openGguf(path);
      try {
        assert.equal(file.version, 3);
        assert.deepEqual(
          [...file.metadata.keys()],
          everyType.map(([key]) => key),
          "keys keep insertion order",
        );
        for (const [key, value] of everyType) {
          assert.deepEqual(file.metadata.get(key), value, key);
          assert.deepEqual(file.get(key), plainValue(value), key);
        }
        assert.ok(Object.is(file.get("t.f32.negzero"), -0));
        assert.equal(file.getString("t.str.unicode"), "héllo wörld — 日本語 🦙 \u{10FFFF} \uFEFFbom");
        assert.equal(file.getNumber("t.u64.max"), 18446744073709551615n);
        assert.equal(file.getNumber("t.u8.max"), 255);
        assert.deepEqual(file.getArray("t.arr.nested"), [["x", "y"], [], [[1, 2], []]]);
        assert.equal(file.get("missing.key"), undefined);
        assert.equal(file.getNumber("missing.key"), undefined);
        assert.throws(() => file.getNumber("t.str"), /'t\.str' is STRING, not a number/);
        assert.throws(() => file.getString("t.u32"), /'t\.u32' is UINT32, not a string/);
        assert.throws(() => file.getArray("t.bool.true"), /not an array/);
        assert.equal(file.alignment, 32);
        assert.equal(file.metadata.has("general.alignment"), false, "default alignment is not written");
        assert.equal(file.dataOffset % 32, 0);
        assert.deepEqual(file.tensors, []);
      } finally {
        await file.close();
      }
    });
  });

  test("a custom alignment is written as general.alignment and used for the data section and offsets", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "aligned.gguf");
      const writer = await GgufWriter.create(path, { alignment: 256 });
      writer.setMetadata("general.name", gguf.str("aligned"));
      writer.addTensor("a", [3], GgmlType.F32);
      writer.addTensor("b", [5], GgmlType.F32);
      await writer.writeTensor("a", new Float32Array([1, 2, 3]));
      await writer.writeTensor("b", new Float32Array([4, 5, 6, 7, 8]));
      await writer.finish();

      const file = await openGguf(path);
      try {
        assert.equal(file.alignment, 256);
        assert.deepEqual(file.get("general.alignment"), 256);
        assert.equal(file.metadata.get("general.alignment")?.type, GgufValueType.UINT32);
        assert.equal(file.dataOffset % 256, 0);
        assert.deepEqual(
          file.tensors.map((t) => t.offset),
          [0, 256],
        );
        assert.deepEqual(Array.from(await file.readTensor("b")), [4, 5, 6, 7, 8]);
        const bytes = await readFile(path);
        assert.equal(bytes.length, file.dataOffset + 512, "the last tensor is padded to the alignment too");
      } finally {
        await file.close();
      }
    });
  });

  test("a large vocabulary-like array reads back quickly", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "vocab.gguf");
      const tokens = Array.from({ length: 200_000 }, (_, i) => `tok${i}${i % 7 === 0 ? "é" : ""}`);
      await writeGguf(path, {
        metadata: [
          ["tokenizer.ggml.tokens", gguf.strings(tokens)],
          ["tokenizer.ggml.scores", gguf.f32s(tokens.map((_, i) => -i))],
          ["tokenizer.ggml.token_type", gguf.i32s(tokens.map((_, i) => i % 5))],
          [
            "test.u64s",
            gguf.array(
              GgufValueType.UINT64,
              tokens.map((_, i) => gguf.u64(BigInt(i) << 32n)),
            ),
          ],
          [
            "test.u8s",
            gguf.array(
              GgufValueType.UINT8,
              tokens.map((_, i) => gguf.u8(i & 0xff)),
            ),
          ],
        ],
        tensors: [],
      });
      const started = performance.now();
      const file = await openGguf(path, { bufferSize: 4096 });
      const elapsed = performance.now() - started;
      try {
        assert.deepEqual(file.getArray("tokenizer.ggml.tokens"), tokens);
        // Every value, not a sample: the header buffer grows many times while these are encoded.
        assert.deepEqual(
          file.getArray("tokenizer.ggml.scores"),
          tokens.map((_, i) => -i),
        );
        assert.deepEqual(
          file.getArray("tokenizer.ggml.token_type"),
          tokens.map((_, i) => i % 5),
        );
        assert.deepEqual(
          file.getArray("test.u64s"),
          tokens.map((_, i) => BigInt(i) << 32n),
        );
        assert.deepEqual(
          file.getArray("test.u8s"),
          tokens.map((_, i) => i & 0xff),
        );
        assert.ok(elapsed < 5000, `reading took ${elapsed} ms`);
      } finally {
        await file.close();
      }
    });
  });
});

describe("gguf value constructors", () => {
  test("reject out-of-range and mistyped values where they are made", () => {
    assert.throws(() => gguf.u8(256), RangeError);
    assert.throws(() => gguf.i8(-129), RangeError);
    assert.throws(() => gguf.u32(1.5), RangeError);
    assert.throws(() => gguf.u32(-1), RangeError);
    assert.throws(() => gguf.u64(-1n), RangeError);
    assert.throws(() => gguf.u64(1n << 64n), RangeError);
    assert.throws(() => gguf.i64(1n << 63n), RangeError);
    assert.throws(() => gguf.u64(2 ** 60), /safe integer/);
    assert.deepEqual(gguf.u64(5), { type: GgufValueType.UINT64, value: 5n });
    assert.throws(
      () => gguf.array(GgufValueType.STRING, [gguf.u8(1)]),
      /item 0 has type UINT8 in an array of STRING/,
    );
    assert.throws(() => gguf.array(99 as GgufValueType, []), /unknown array item type 99/);
  });

  test("plainValue unwraps scalars and arrays", () => {
    assert.equal(plainValue(gguf.str("x")), "x");
    assert.equal(plainValue(gguf.i64(-5n)), -5n);
    assert.deepEqual(plainValue(gguf.array(GgufValueType.ARRAY, [gguf.strings(["a"]), gguf.strings([])])), [
      ["a"],
      [],
    ]);
  });
});
