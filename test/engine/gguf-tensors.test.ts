import assert from "node:assert/strict";
import { access, open, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  bfloat16ToFloat,
  decodeTensor,
  encodeTensor,
  floatToBfloat16,
  floatToHalf,
  GgmlType,
  ggmlTypeInfo,
  GgufWriter,
  gguf,
  halfToFloat,
  openGguf,
  tensorByteSize,
  writeGguf,
} from "../../engine/gguf/index.js";
import { RawGguf } from "../support/ggufBytes.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

function specialFloats(count: number, seed: number): Float32Array {
  const values = seededFloats(count, seed, 3);
  const specials = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    1e-40,
    -1e-45,
    3.4028234663852886e38,
    65504,
    65520,
    1e-8,
    2 ** -24,
  ];
  specials.forEach((v, i) => {
    if (i < count) values[i * 3] = v;
  });
  return values;
}

function sameFloats(actual: Float32Array, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i]))
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe("gguf tensor round trip", () => {
  test("F32 exact, F16/BF16 exact against the conversions, Q8_0 within its error bound, in 1-D, 2-D and 3-D shapes", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "tensors.gguf");
      const f32 = specialFloats(7 * 3 * 2, 1);
      const f16 = specialFloats(5 * 3, 2);
      const bf16 = specialFloats(11, 3);
      const q8 = seededFloats(64 * 3 * 2, 4, 5);
      q8.fill(0, 64, 96); // an all-zero block
      q8[100] = 1e-3; // a block with a tiny amax next to large ones elsewhere
      const q8small = seededFloats(32, 5, 1e-3);
      const tensors = [
        { name: "f32.3d", dims: [7, 3, 2], type: GgmlType.F32, data: f32 },
        { name: "f16.2d", dims: [5, 3], type: GgmlType.F16, data: f16 },
        { name: "bf16.1d", dims: [11], type: GgmlType.BF16, data: bf16 },
        { name: "q8_0.3d", dims: [64, 3, 2], type: GgmlType.Q8_0, data: q8 },
        { name: "q8_0.1d", dims: [32], type: GgmlType.Q8_0, data: q8small },
      ];
      await writeGguf(path, { metadata: [["general.name", gguf.str("tensors")]], tensors });

      const file = await openGguf(path);
      try {
        assert.deepEqual(
          file.tensors.map((t) => [t.name, t.dims, t.type, t.elementCount, t.byteSize]),
          tensors.map((t) => [t.name, t.dims, t.type, t.data.length, tensorByteSize(t.type, t.dims)]),
        );
        let expectedOffset = 0;
        for (const t of file.tensors) {
          assert.equal(t.offset, expectedOffset, `${t.name} offset`);
          expectedOffset = Math.ceil((t.offset + t.byteSize) / 32) * 32;
        }
        assert.equal((await stat(path)).size, file.dataOffset + expectedOffset);

        sameFloats(await file.readTensor("f32.3d"), f32, "F32");
        sameFloats(
          await file.readTensor("f16.2d"),
          Array.from(f16, (v) => halfToFloat(floatToHalf(v))),
          "F16",
        );
        sameFloats(
          await file.readTensor("bf16.1d"),
          Array.from(bf16, (v) => bfloat16ToFloat(floatToBfloat16(v))),
          "BF16",
        );

        for (const [name, values] of [
          ["q8_0.3d", q8],
          ["q8_0.1d", q8small],
        ] as const) {
          const stored = await file.readTensorBytes(name);
          assert.deepEqual(stored, encodeTensor(GgmlType.Q8_0, values), `${name} bytes equal a fresh encode`);
          const decoded = await file.readTensor(name);
          assert.deepEqual(
            encodeTensor(GgmlType.Q8_0, decoded),
            stored,
            `${name}: re-encoding the decoded values gives the same bytes`,
          );
          for (let block = 0; block < values.length / 32; block++) {
            const slice = values.subarray(block * 32, block * 32 + 32);
            const amax = Math.max(...Array.from(slice, Math.abs));
            // Rounding q costs d/2; storing d as f16 adds up to 127 * d * 2^-11.
            const bound = (amax / 127) * (0.5 + 127 * 2 ** -11) * (1 + 1e-6);
            for (let j = 0; j < 32; j++) {
              const error = Math.abs(decoded[block * 32 + j]! - slice[j]!);
              assert.ok(error <= bound, `${name}[${block * 32 + j}]: error ${error} > ${bound}`);
            }
          }
        }
      } finally {
        await file.close();
      }
    });
  });

  test("readRows and streamTensorBytes agree with readTensor and readTensorBytes", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "stream.gguf");
      const values = seededFloats(96 * 1000, 9, 2);
      await writeGguf(path, {
        metadata: [],
        tensors: [
          { name: "rows.f16", dims: [96, 250, 4], type: GgmlType.F16, data: values },
          { name: "rows.q8", dims: [96, 1000], type: GgmlType.Q8_0, data: values },
        ],
      });
      const file = await openGguf(path);
      try {
        for (const name of ["rows.f16", "rows.q8"]) {
          const info = file.tensor(name)!;
          const whole = await file.readTensor(info);
          const rows = file.rowCount(info);
          assert.equal(rows, 1000);
          const pieces: Float32Array[] = [];
          for (let first = 0, step = 1; first < rows; first += step, step = (step * 3) % 97 || 1) {
            pieces.push(await file.readRows(name, first, Math.min(step, rows - first)));
          }
          sameFloats(Float32Array.from(pieces.flatMap((p) => Array.from(p))), whole, `${name} rows`);
          assert.equal((await file.readRows(info, 5, 0)).length, 0);
          await assert.rejects(
            file.readRows(info, 999, 2),
            /rows \[999, 1001\) are outside tensor 'rows\.\w+', which has 1000 rows/,
          );
          await assert.rejects(file.readRows(info, -1, 1), RangeError);

          const raw = await file.readTensorBytes(info);
          const chunks: Uint8Array[] = [];
          for await (const chunk of file.streamTensorBytes(info, 4097)) chunks.push(chunk);
          assert.ok(chunks.slice(0, -1).every((c) => c.length === 4097));
          const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
          chunks.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
          assert.deepEqual(joined, raw);
          sameFloats(decodeTensor(info.type, joined, info.elementCount), whole, `${name} streamed`);
        }
        await assert.rejects(file.readTensor("no.such.tensor"), /has no tensor 'no\.such\.tensor'/);
      } finally {
        await file.close();
      }
      await assert.rejects(file.readTensor("rows.f16"), /is closed/);
    });
  });

  test("a tensor whose data comes in chunks, and pre-encoded bytes, write through", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "chunks.gguf");
      const values = seededFloats(32 * 40, 11);
      const encoded = encodeTensor(GgmlType.Q8_0, values);
      const writer = await GgufWriter.create(path, { bufferSize: 100 });
      writer.addTensor("chunked", [32, 40], GgmlType.Q8_0);
      writer.addTensor("bytes", [32, 40], GgmlType.Q8_0);
      writer.addTensor("f32", [3], GgmlType.F32);
      for (let at = 0; at < encoded.length; at += 333)
        await writer.writeTensorChunk("chunked", encoded.subarray(at, at + 333));
      await writer.writeTensor("bytes", encoded);
      await writer.writeTensorChunk("f32", new Uint8Array(new Float32Array([1, 2, 3]).buffer));
      await writer.finish();
      const file = await openGguf(path);
      try {
        assert.deepEqual(await file.readTensorBytes("chunked"), encoded);
        assert.deepEqual(await file.readTensorBytes("bytes"), encoded);
        assert.deepEqual(Array.from(await file.readTensor("f32")), [1, 2, 3]);
      } finally {
        await file.close();
      }
    });
  });

  test("a multi-GB sparse file: the header reads without touching the data, and rows at the far end read", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "huge.gguf");
      const rowLength = 1 << 16;
      const rows = 1 << 14; // 2^30 F32 elements: 4 GiB of data
      const header = new RawGguf()
        .raw([0x47, 0x47, 0x55, 0x46])
        .u32(3)
        .u64(1)
        .u64(1)
        .str("general.name")
        .u32(8)
        .str("huge")
        .str("huge.weight")
        .u32(2)
        .u64(rowLength)
        .u64(rows)
        .u32(GgmlType.F32)
        .u64(0)
        .padTo(32);
      const dataOffset = header.length;
      await writeFile(path, header.build());
      await truncate(path, dataOffset + rowLength * rows * 4);
      const lastRow = seededFloats(rowLength, 12);
      const handle = await open(path, "r+");
      await handle.write(
        new Uint8Array(lastRow.buffer),
        0,
        rowLength * 4,
        dataOffset + (rows - 1) * rowLength * 4,
      );
      await handle.close();

      const started = performance.now();
      const file = await openGguf(path);
      try {
        assert.ok(performance.now() - started < 2000);
        assert.equal(file.fileSize, dataOffset + 2 ** 32);
        assert.equal(file.tensor("huge.weight")!.byteSize, 2 ** 32);
        sameFloats(await file.readRows("huge.weight", rows - 1, 1), lastRow, "last row");
        sameFloats(await file.readRows("huge.weight", 0, 1), new Float32Array(rowLength), "first row");
        let streamed = 0;
        for await (const chunk of file.streamTensorBytes("huge.weight", 1 << 24)) {
          streamed += chunk.length;
          if (streamed >= 1 << 26) break;
        }
        assert.equal(streamed, 1 << 26);
      } finally {
        await file.close();
      }
    });
  });
});

describe("gguf writer rules", () => {
  test("declaration errors are thrown where they happen, with the tensor or key named", async () => {
    await withTempDir(async (dir) => {
      const writer = await GgufWriter.create(join(dir, "rules.gguf"));
      try {
        assert.throws(
          () => writer.addTensor("q", [33, 2], GgmlType.Q8_0),
          /row length 33 is not a multiple of the Q8_0 block size 32/,
        );
        assert.throws(() => writer.addTensor("z", [4, 0], GgmlType.F32), /dimension 1 is 0/);
        assert.throws(() => writer.addTensor("five", [1, 1, 1, 1, 1], GgmlType.F32), /5 dimensions/);
        assert.throws(() => writer.addTensor("none", [], GgmlType.F32), /at least one dimension/);
        assert.throws(() => writer.addTensor("x".repeat(64), [1], GgmlType.F32), /at most 63/);
        assert.throws(() => writer.addTensor("t", [1], 4 as GgmlType), /ggml type 4 \(Q4_2\) was removed/);
        assert.throws(() => writer.addTensor("t", [1], 99 as GgmlType), /unknown ggml type 99/);
        assert.throws(() => writer.setMetadata("general.alignment", gguf.u32(64)), /GgufWriter\.create/);
        assert.throws(() => writer.setMetadata("bad", { type: 99 } as never), /unknown value type 99/);
        assert.throws(() => writer.setMetadata("bad", gguf.str("\uD800")), /lone UTF-16 surrogate/);
        assert.throws(
          () => writer.setMetadata("bad", { type: 4, value: -1 }),
          /metadata 'bad'.*-1 is not a valid UINT32/,
        );
        writer.addTensor("a", [2], GgmlType.F32);
        assert.throws(() => writer.addTensor("a", [2], GgmlType.F32), /'a' is already declared/);
      } finally {
        await writer.abort();
      }
    });
  });

  test("data must come in declaration order, in the declared size; finish checks completeness; abort deletes", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "order.gguf");
      const writer = await GgufWriter.create(path);
      writer.setMetadata("general.name", gguf.str("order"));
      writer.addTensor("a", [4], GgmlType.F32);
      writer.addTensor("b", [32], GgmlType.Q8_0);
      writer.addTensor("c", [2], GgmlType.F16);
      await assert.rejects(
        writer.writeTensor("b", new Float32Array(32)),
        /declaration order: 'a' comes before 'b'/,
      );
      await assert.rejects(writer.writeTensor("nope", new Float32Array(1)), /no tensor 'nope' was declared/);
      await assert.rejects(writer.writeTensor("a", new Float32Array(3)), /'a' has 4 elements, got 3 values/);
      await assert.rejects(writer.writeTensor("a", new Uint8Array(15)), /takes 16 bytes, got 15/);
      assert.throws(() => writer.setMetadata("late", gguf.u8(1)), /already written/);
      assert.throws(() => writer.addTensor("late", [1], GgmlType.F32), /already written/);
      await writer.writeTensor("a", new Float32Array(4));
      await assert.rejects(writer.writeTensor("a", new Float32Array(4)), /'a' is already written/);
      await writer.writeTensorChunk("b", new Uint8Array(30));
      await assert.rejects(writer.writeTensor("b", new Float32Array(32)), /started with writeTensorChunk/);
      await assert.rejects(
        writer.writeTensorChunk("b", new Uint8Array(5)),
        /takes 34 bytes; this chunk of 5 would make 35/,
      );
      await assert.rejects(writer.finish(), /tensor data not written for 'b' \(30 of 34 bytes\), 'c'/);
      const first = writer.writeTensorChunk("b", new Uint8Array(4));
      await assert.rejects(writer.writeTensor("c", new Float32Array(2)), /await each call/);
      await first;
      await access(path);
      await writer.abort();
      await assert.rejects(access(path), { code: "ENOENT" });
      await assert.rejects(writer.writeTensor("c", new Float32Array(2)), /aborted/);
      await writer.abort();
    });
  });

  test("alignment must be a power of two", async () => {
    await assert.rejects(GgufWriter.create("/nonexistent/x.gguf", { alignment: 48 }), /power of two/);
    await assert.rejects(GgufWriter.create("/nonexistent/x.gguf", { alignment: 0 }), /power of two/);
  });

  test("writeGguf deletes its partial file when a tensor fails to encode", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "partial.gguf");
      await assert.rejects(
        writeGguf(path, {
          metadata: { "general.name": gguf.str("partial") },
          tensors: [
            { name: "ok", dims: [2], type: GgmlType.F32, data: new Float32Array(2) },
            { name: "bad", dims: [32], type: GgmlType.Q8_0, data: new Float32Array(32).fill(Infinity) },
          ],
        }),
        /cannot quantize Infinity/,
      );
      await assert.rejects(access(path), { code: "ENOENT" });
      assert.equal(ggmlTypeInfo(GgmlType.Q8_0).bytesPerBlock, 34);
    });
  });
});
