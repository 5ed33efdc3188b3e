import assert from "node:assert/strict";
import { copyFile, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import {
  GgmlType,
  GgufFormatError,
  GgufValueType,
  gguf,
  openGguf,
  writeGguf,
} from "../../engine/gguf/index.js";
import { patchBytes, patchU32, patchU64, RawGguf, sampleGguf } from "../support/ggufBytes.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

const SHORT_TIME_MS = 1000;

/**
 * Opens `path` expecting a GgufFormatError; returns it. Fails when the open succeeds, throws something else,
 * or is slow.
 */
async function expectFormatError(path: string, what: string): Promise<GgufFormatError> {
  const started = performance.now();
  let caught: unknown;
  try {
    const file = await openGguf(path);
    await file.close();
  } catch (error) {
    caught = error;
  }
  const elapsed = performance.now() - started;
  assert.ok(caught !== undefined, `${what}: opened without an error`);
  assert.ok(
    caught instanceof GgufFormatError,
    `${what}: threw ${inspect(caught)} instead of a GgufFormatError`,
  );
  assert.ok(elapsed < SHORT_TIME_MS, `${what}: took ${elapsed} ms`);
  assert.ok(Number.isSafeInteger(caught.offset) && caught.offset >= 0, `${what}: offset ${caught.offset}`);
  assert.match(caught.message, /\(at byte offset \d+\)$/, what);
  return caught;
}

async function expectBytesRejected(
  dir: string,
  bytes: Uint8Array,
  message: RegExp,
  offset?: number,
): Promise<GgufFormatError> {
  const path = join(dir, "corrupt.gguf");
  await writeFile(path, bytes);
  const error = await expectFormatError(path, message.source);
  assert.match(error.message, message);
  if (offset !== undefined)
    assert.equal(error.offset, offset, `offset for ${message.source}: ${error.message}`);
  return error;
}

describe("gguf truncated files", () => {
  test("truncating at every header offset and across the data section rejects with an offset", async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "whole.gguf");
      await writeGguf(source, {
        metadata: [
          ["general.architecture", gguf.str("llama")],
          ["general.name", gguf.str("truncation ✂")],
          ["tokenizer.ggml.tokens", gguf.strings(["a", "bb", "ccc", "dddd"])],
          ["tokenizer.ggml.scores", gguf.f32s([0.5, 1.5, 2.5, 3.5])],
          ["test.nested", gguf.array(GgufValueType.ARRAY, [gguf.strings(["x"]), gguf.i32s([1, 2])])],
          ["test.u64", gguf.u64(1n << 40n)],
          ["test.bool", gguf.bool(true)],
        ],
        tensors: [
          { name: "a.weight", dims: [32, 3], type: GgmlType.Q8_0, data: seededFloats(96, 1) },
          { name: "b.weight", dims: [5, 2], type: GgmlType.F32, data: seededFloats(10, 2) },
          { name: "c.weight", dims: [40], type: GgmlType.F16, data: seededFloats(40, 3) },
        ],
      });
      const whole = await openGguf(source);
      const dataOffset = whole.dataOffset;
      const dataEnd = Math.max(...whole.tensors.map((t) => dataOffset + t.offset + t.byteSize));
      await whole.close();
      const size = (await readFile(source)).length;
      assert.ok(dataEnd <= size);

      const cuts: number[] = [];
      for (let at = dataEnd - 1; at >= dataOffset; at -= 7) cuts.push(at);
      for (let at = dataOffset - 1; at >= 0; at--) cuts.push(at);
      const path = join(dir, "cut.gguf");
      await copyFile(source, path);
      for (const length of cuts) {
        await truncate(path, length);
        const error = await expectFormatError(path, `truncated to ${length} bytes`);
        assert.ok(
          error.offset <= length,
          `truncated to ${length}: error offset ${error.offset} is beyond the end`,
        );
        if (length >= dataOffset)
          assert.match(
            error.message,
            /tensor #\d+ '[abc]\.weight'.*past the end of the file/,
            `cut at ${length}`,
          );
        else
          assert.match(
            error.message,
            /unexpected end of file|past the end of the file|bytes left in the file|is impossible/,
            `cut at ${length}`,
          );
      }
    });
  });
});

describe("gguf corrupt headers", () => {
  test("the sample file is valid, as version 3 and version 2", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "sample.gguf");
      await writeFile(path, sampleGguf().build());
      const file = await openGguf(path);
      try {
        assert.deepEqual(file.get("tokenizer.ggml.tokens"), ["a", "b", "c"]);
        assert.deepEqual(
          Array.from(await file.readTensor("second.weight")),
          [-0, -1, -2, -3, -4, -5, -6, -7],
        );
      } finally {
        await file.close();
      }
      const g = sampleGguf();
      await writeFile(path, patchU32(g.build(), g.at("version"), 2));
      const version2 = await openGguf(path);
      assert.equal(version2.version, 2, "GGUF v2 has the same little-endian layout and is accepted");
      await version2.close();
    });
  });

  test("bad magic, unsupported versions and impossible counts", async () => {
    await withTempDir(async (dir) => {
      const g = sampleGguf();
      const bytes = g.build();
      await expectBytesRejected(
        dir,
        patchBytes(bytes, 0, [0x47, 0x47, 0x4d, 0x4c]),
        /not a GGUF file: magic is "GGML"/,
        0,
      );
      await expectBytesRejected(dir, new Uint8Array(0), /file magic: unexpected end of file/, 0);
      await expectBytesRejected(dir, patchU32(bytes, g.at("version"), 99), /unsupported GGUF version 99/, 4);
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("version"), 1),
        /version 1 is no longer supported/,
        4,
      );
      await expectBytesRejected(dir, patchU32(bytes, g.at("version"), 0x03000000), /byte-swapped/, 4);
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensorCount"), 1n << 40n),
        /tensor count 1099511627776 is impossible/,
        8,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensorCount"), 1n << 63n),
        /tensor count \d+ is impossible/,
        8,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("kvCount"), 1n << 40n),
        /metadata count 1099511627776 is impossible/,
        16,
      );
    });
  });

  test("absurd string lengths and array counts are refused before allocating, naming the key", async () => {
    await withTempDir(async (dir) => {
      const g = sampleGguf();
      const bytes = g.build();
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("key0.length"), 1n << 62n),
        /value of key 'general\.name': string length 4611686018427387904 exceeds the \d+ bytes left in the file/,
        g.at("key0.length"),
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("key0"), 1n << 62n),
        /key of metadata entry #0: string length 4611686018427387904/,
        g.at("key0"),
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("key1.count"), 1n << 40n),
        /value of key 'tokenizer\.ggml\.tokens': array count 1099511627776 of STRING exceeds/,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("key1.item2"), 1000n),
        /item 2 of value of key 'tokenizer\.ggml\.tokens': string length 1000/,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor1"), 1n << 62n),
        /name of tensor #1: string length/,
      );
    });
  });

  test("unknown value types, invalid UTF-8, duplicate keys and bad alignment", async () => {
    await withTempDir(async (dir) => {
      const g = sampleGguf();
      const bytes = g.build();
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("key2.type"), 13),
        /value type of key 'sample\.block_count': unknown value type 13/,
        g.at("key2.type"),
      );
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("key1.itemType"), 77),
        /key 'tokenizer\.ggml\.tokens': unknown array item type 77/,
      );
      await expectBytesRejected(
        dir,
        patchBytes(bytes, g.at("key0.length") + 8, [0xc3, 0x28]),
        /value of key 'general\.name': string of 6 bytes is not valid UTF-8/,
        g.at("key0.length") + 8,
      );
      await expectBytesRejected(
        dir,
        patchBytes(bytes, g.at("key1.item0") + 8, [0xff]),
        /item 0 of value of key 'tokenizer\.ggml\.tokens'.*not valid UTF-8/,
      );

      const header = (kv: (g: RawGguf) => void, kvCount: number) => {
        const raw = new RawGguf().raw([0x47, 0x47, 0x55, 0x46]).u32(3).u64(0).u64(kvCount);
        kv(raw);
        return raw.padTo(32).build();
      };
      await expectBytesRejected(
        dir,
        header(
          (r) =>
            r
              .str("a.key")
              .u32(GgufValueType.UINT8)
              .u8(1)
              .mark("dup")
              .str("a.key")
              .u32(GgufValueType.UINT8)
              .u8(2),
          2,
        ),
        /metadata entry #1: duplicate key 'a\.key'/,
        24 + 8 + 5 + 4 + 1,
      );
      await expectBytesRejected(
        dir,
        header((r) => r.str("").u32(GgufValueType.UINT8).u8(1), 1),
        /metadata entry #0: empty key/,
        24,
      );
      await expectBytesRejected(
        dir,
        header((r) => r.str("general.alignment").u32(GgufValueType.UINT32).u32(48), 1),
        /key 'general\.alignment': alignment 48 is not a power of two/,
      );
      await expectBytesRejected(
        dir,
        header((r) => r.str("general.alignment").u32(GgufValueType.UINT32).u32(0), 1),
        /alignment 0 is not a power of two/,
      );
      await expectBytesRejected(
        dir,
        header((r) => r.str("general.alignment").u32(GgufValueType.UINT64).u64(32), 1),
        /general\.alignment'.*must be UINT32, not UINT64/,
      );
      await expectBytesRejected(
        dir,
        header((r) => {
          r.str("deep").u32(GgufValueType.ARRAY);
          for (let i = 0; i < 40; i++) r.u32(GgufValueType.ARRAY).u64(1);
          r.u32(GgufValueType.UINT8).u64(0);
        }, 1),
        /arrays nested deeper than 16/,
      );
    });
  });

  test("bad tensor infos: dims, types, offsets, overlaps and duplicates, naming the tensor", async () => {
    await withTempDir(async (dir) => {
      const g = sampleGguf();
      const bytes = g.build();
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("tensor0.nDims"), 9),
        /tensor #0 'first\.weight': 9 dimensions, more than GGML_MAX_DIMS \(4\)/,
        g.at("tensor0.nDims"),
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor0.dim1"), 0n),
        /tensor #0 'first\.weight': dimension 1 is 0/,
        g.at("tensor0.dim1"),
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor0.dim0"), (1n << 64n) - 5n),
        /dimension 0 is negative \(-5\)/,
        g.at("tensor0.dim0"),
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor0.dim0"), 1n << 60n),
        /dimension 0 is 1152921504606846976, larger than 2\^53/,
      );
      await expectBytesRejected(
        dir,
        patchU64(patchU64(bytes, g.at("tensor0.dim0"), 1n << 40n), g.at("tensor0.dim1"), 1n << 40n),
        /tensor #0 'first\.weight': F32 shape \[1099511627776, 1099511627776\]: element count .* exceeds 2\^53/,
      );
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("tensor0.type"), 99),
        /tensor #0 'first\.weight': unknown ggml type 99/,
        g.at("tensor0.type"),
      );
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("tensor0.type"), 31),
        /ggml type 31 \(Q4_0_4_4\) was removed/,
      );
      await expectBytesRejected(
        dir,
        patchU32(bytes, g.at("tensor0.type"), GgmlType.Q8_0),
        /row length 4 is not a multiple of the Q8_0 block size 32/,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor1.offset"), 33n),
        /tensor #1 'second\.weight': data offset 33 is not a multiple of the alignment 32/,
        g.at("tensor1.offset"),
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor1.offset"), 1n << 60n),
        /data offset 1152921504606846976 is larger than 2\^53/,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor1.offset"), 1024n),
        /tensor #1 'second\.weight': data \[\d+, \d+\) extends past the end of the file \(\d+ bytes\)/,
      );
      await expectBytesRejected(
        dir,
        patchU64(bytes, g.at("tensor1.offset"), 0n),
        /tensor #\d '\w+\.weight': data overlaps tensor #\d/,
      );
      const duplicate = new RawGguf().raw([0x47, 0x47, 0x55, 0x46]).u32(3).u64(2).u64(0);
      duplicate.str("t").u32(1).u64(8).u32(0).u64(0);
      duplicate.str("t").u32(1).u64(8).u32(0).u64(32);
      duplicate.padTo(32).raw(new Uint8Array(64));
      await expectBytesRejected(
        dir,
        duplicate.build(),
        /tensor #1: duplicate tensor name 't' \(also tensor #0\)/,
      );
    });
  });
});

describe("gguf reader limits", () => {
  test("limits on string length, metadata values and tensor count are enforced with the key or count named", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "limits.gguf");
      await writeFile(path, sampleGguf().build());
      const reject = async (options: Parameters<typeof openGguf>[1], message: RegExp) => {
        const error = await openGguf(path, options).then(
          async (file) => (await file.close(), undefined),
          (e: unknown) => e,
        );
        assert.ok(error instanceof GgufFormatError, String(error));
        assert.match(error.message, message);
      };
      await reject(
        { maxStringLength: 5 },
        /key of metadata entry #0: string length 12 exceeds the limit of 5 bytes/,
      );
      await reject(
        { maxMetadataValues: 3 },
        /value of key 'tokenizer\.ggml\.tokens': metadata holds more than 3 values/,
      );
      await reject({ maxTensorCount: 1 }, /tensor count 2 exceeds the limit of 1/);
      const file = await openGguf(path, {
        maxStringLength: 21,
        maxMetadataValues: 6,
        maxTensorCount: 2,
        bufferSize: 16,
      });
      await file.close();
    });
  });
});

describe("gguf fuzzed headers", () => {
  test("random byte changes in the header either still parse or reject with a GgufFormatError, quickly", async () => {
    await withTempDir(async (dir) => {
      const g = sampleGguf();
      const original = g.build();
      const headerEnd = g.at("headerEnd");
      const path = join(dir, "fuzz.gguf");
      let state = 12345;
      const next = (n: number) => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      let rejected = 0;
      for (let round = 0; round < 1500; round++) {
        const bytes = original.slice();
        const changes = 1 + next(4);
        for (let c = 0; c < changes; c++)
          bytes[next(headerEnd)] = [0x00, 0xff, 0x7f, 0x80, next(256)][next(5)]!;
        await writeFile(path, bytes);
        const started = performance.now();
        try {
          const file = await openGguf(path);
          await file.close();
        } catch (error) {
          if (!(error instanceof GgufFormatError)) assert.fail(`round ${round}: ${String(error)}`);
          rejected++;
        }
        assert.ok(performance.now() - started < SHORT_TIME_MS, `round ${round} was slow`);
      }
      assert.ok(rejected > 500, `only ${rejected} of 1500 mutations were rejected`);
    });
  });
});
