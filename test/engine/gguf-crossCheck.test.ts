import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readGgufFileInfo } from "node-llama-cpp";
import {
  GgmlType,
  GgufValueType,
  gguf,
  openGguf,
  writeGguf,
  type GgufValue,
} from "../../engine/gguf/index.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";

/** node-llama-cpp nests metadata by the dots in keys; walk the same path back. */
function lookupNested(metadata: unknown, key: string): unknown {
  let node = metadata as Record<string, unknown>;
  const parts = key.split(".");
  while (parts.length > 0) {
    let part = parts.shift()!;
    while (!Object.hasOwn(node, part) && parts.length > 0) part += "." + parts.shift();
    if (!Object.hasOwn(node, part)) return undefined;
    if (parts.length === 0) return node[part];
    node = node[part] as Record<string, unknown>;
  }
  return undefined;
}

const metadata: [string, GgufValue][] = [
  ["general.architecture", gguf.str("llama")],
  ["general.name", gguf.str("cross-check ✓ 🦙")],
  ["general.file_type", gguf.u32(7)],
  ["general.quantization_version", gguf.u32(2)],
  ["llama.context_length", gguf.u32(4096)],
  ["llama.embedding_length", gguf.u32(64)],
  ["llama.rope.freq_base", gguf.f32(10000)],
  ["llama.attention.layer_norm_rms_epsilon", gguf.f32(Math.fround(1e-6))],
  ["test.u8", gguf.u8(200)],
  ["test.i8", gguf.i8(-100)],
  ["test.u16", gguf.u16(60000)],
  ["test.i16", gguf.i16(-30000)],
  ["test.i32", gguf.i32(-123456789)],
  ["test.u64", gguf.u64(18446744073709551615n)],
  ["test.i64", gguf.i64(-9223372036854775808n)],
  ["test.f64", gguf.f64(-1.25e-300)],
  ["test.bool", gguf.bool(true)],
  ["test.empty_string", gguf.str("")],
  ["test.nested", gguf.array(GgufValueType.ARRAY, [gguf.i32s([1, -2]), gguf.i32s([])])],
  ["test.u64s", gguf.array(GgufValueType.UINT64, [gguf.u64(0n), gguf.u64(1n << 63n)])],
  ["test.bools", gguf.array(GgufValueType.BOOL, [gguf.bool(false), gguf.bool(true)])],
  ["tokenizer.ggml.model", gguf.str("gpt2")],
  ["tokenizer.ggml.tokens", gguf.strings(["<s>", "</s>", "hello", " wörld", "日本"])],
  ["tokenizer.ggml.scores", gguf.f32s([0, -1, -2.5, -3, -4])],
  ["tokenizer.ggml.token_type", gguf.i32s([3, 3, 1, 1, 1])],
  ["tokenizer.ggml.merges", gguf.strings([])],
  ["tokenizer.chat_template", gguf.str("{% for m in messages %}{{ m.content }}{% endfor %}")],
];

test("node-llama-cpp's readGgufFileInfo reads our files with the same metadata, tensor names, dims, types and offsets", async () => {
  await withTempDir(async (dir) => {
    for (const alignment of [32, 64]) {
      const path = join(dir, `cross-${alignment}.gguf`);
      await writeGguf(path, {
        alignment,
        metadata,
        tensors: [
          { name: "token_embd.weight", dims: [64, 5], type: GgmlType.Q8_0, data: seededFloats(320, 1) },
          { name: "output_norm.weight", dims: [64], type: GgmlType.F32, data: seededFloats(64, 2) },
          { name: "blk.0.attn_q.weight", dims: [64, 64], type: GgmlType.F16, data: seededFloats(4096, 3) },
          { name: "blk.0.ffn_up.weight", dims: [64, 2, 3], type: GgmlType.BF16, data: seededFloats(384, 4) },
          { name: "odd", dims: [3], type: GgmlType.F32, data: new Float32Array([1, 2, 3]) },
        ],
      });

      const theirs = await readGgufFileInfo(path, {
        readTensorInfo: true,
        ignoreKeys: [],
        logWarnings: false,
        sourceType: "filesystem",
      });
      const ours = await openGguf(path);
      try {
        assert.equal(theirs.version, ours.version);
        assert.equal(Number(theirs.tensorCount), ours.tensors.length);
        for (const key of ours.metadata.keys()) {
          assert.deepEqual(lookupNested(theirs.metadata, key), ours.get(key), key);
        }
        if (alignment !== 32) assert.equal(lookupNested(theirs.metadata, "general.alignment"), alignment);
        assert.equal(theirs.infoEndOffset, ours.dataOffset);
        const theirTensors = theirs.tensorInfo ?? [];
        assert.deepEqual(
          theirTensors.map((t) => ({
            name: t.name,
            dims: t.dimensions.map(Number),
            type: t.ggmlType,
            offset: Number(t.offset),
            fileOffset: Number(t.fileOffset),
          })),
          ours.tensors.map((t) => ({
            name: t.name,
            dims: t.dims,
            type: t.type,
            offset: t.offset,
            fileOffset: ours.dataOffset + t.offset,
          })),
        );
      } finally {
        await ours.close();
      }
    }
  });
});
