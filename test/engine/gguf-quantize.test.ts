// The quantizing encoders (Q4_0, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K): round trips through our decoders, and
// byte-for-byte equality with llama.cpp's own llama-quantize (built by scripts/build-llama-server.sh) on
// a small model, together with the per-tensor types its presets choose.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  decodeTensor,
  encodeTensor,
  ggmlTypeInfo,
  GgmlType,
  halfToFloat,
  openGguf,
} from "../../engine/gguf/index.js";
import { fileTypeOf, outputTensorTypes } from "../../engine/merge/outputTensorType.js";
import { concatBytes, packQ5_0, packQ5_1 } from "../support/ggufBlocks.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";
import {
  llamaQuantize,
  llamaQuantizeOrSkip,
  writeF32LlamaModel,
  type F32Tensor,
} from "../support/llamaQuantize.js";

const fround = Math.fround;
const quantizedTypes = [
  GgmlType.Q4_0,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
] as const;

/**
 * Rows of assorted shapes (small and large spreads, zeros, constants, one-signed rows, an outlier, values
 * near ggml's 1e-15 "all zero" threshold), the cases where the scale searches take different branches.
 */
function assortedRows(rowLength: number, rows: number, seed: number): Float32Array {
  const out = new Float32Array(rowLength * rows);
  for (let r = 0; r < rows; r++) {
    const noise = seededFloats(rowLength, seed * 1000 + r);
    const row = out.subarray(r * rowLength, (r + 1) * rowLength);
    for (let i = 0; i < rowLength; i++) {
      const u = noise[i]!;
      switch (r % 8) {
        case 0:
          row[i] = u * 0.02;
          break;
        case 1:
          row[i] = u * 3 + u * u * u * 5;
          break;
        case 2:
          row[i] = 0;
          break;
        case 3:
          row[i] = 0.75;
          break;
        case 4:
          row[i] = Math.abs(u) * 0.1 + 0.05;
          break;
        case 5:
          row[i] = i % 97 === 13 ? 2.5 : u * 0.01;
          break;
        case 6:
          row[i] = u * 1e-9;
          break;
        default:
          row[i] = -Math.abs(u) * 0.3;
      }
    }
  }
  return out;
}

function relativeRmse(values: Float32Array, decoded: Float32Array): number {
  let error = 0;
  let energy = 0;
  for (let i = 0; i < values.length; i++) {
    error += (decoded[i]! - values[i]!) ** 2;
    energy += values[i]! ** 2;
  }
  return Math.sqrt(error / energy);
}

/** The first block where two encodings differ, for a readable failure. */
function firstDifferentBlock(type: GgmlType, actual: Uint8Array, expected: Uint8Array): number | undefined {
  const { bytesPerBlock } = ggmlTypeInfo(type);
  for (let at = 0; at < expected.length; at++) {
    if (actual[at] !== expected[at]) return Math.floor(at / bytesPerBlock);
  }
  return undefined;
}

describe("quantizing encoders round-trip through the decoders", () => {
  // Relative RMSE on uniform values in [-1, 1): the quantization step over sqrt(12) and a margin.
  const bounds: Record<(typeof quantizedTypes)[number], number> = {
    [GgmlType.Q4_0]: 0.08,
    [GgmlType.Q5_0]: 0.04,
    [GgmlType.Q5_1]: 0.04,
    [GgmlType.Q4_K]: 0.075,
    [GgmlType.Q5_K]: 0.037,
    [GgmlType.Q6_K]: 0.018,
  };

  for (const type of quantizedTypes) {
    test(`${GgmlType[type]}: decoded values stay within the format's precision`, () => {
      const values = seededFloats(256 * 64, 7);
      const decoded = decodeTensor(type, encodeTensor(type, values), values.length);
      const rmse = relativeRmse(values, decoded);
      assert.ok(rmse < bounds[type], `relative RMSE ${rmse} (bound ${bounds[type]})`);
      assert.ok(rmse > bounds[type] / 20, `relative RMSE ${rmse} is too small for ${GgmlType[type]}`);
    });

    test(`${GgmlType[type]}: zeros, constants, one-signed rows and outliers decode close and finite`, () => {
      const values = assortedRows(256, 8, 3);
      const decoded = decodeTensor(type, encodeTensor(type, values), values.length);
      assert.ok(decoded.every(Number.isFinite));
      assert.ok(
        decoded.subarray(512, 768).every((v) => v === 0),
        "an all-zero row decodes to zeros",
      );
      for (const row of [0, 1, 3, 4, 5, 7]) {
        const slice = (a: Float32Array): Float32Array => a.subarray(row * 256, (row + 1) * 256);
        const rmse = relativeRmse(slice(values), slice(decoded));
        assert.ok(rmse < 0.12, `row ${row}: relative RMSE ${rmse}`);
      }
    });

    test(`${GgmlType[type]}: blocks are encoded on their own, so pieces of whole blocks stream`, () => {
      const values = seededFloats(256 * 8, 11, 0.05);
      const whole = encodeTensor(type, values);
      const into = new Uint8Array(whole.length + 7);
      const half = values.length / 2;
      const firstHalf = encodeTensor(type, values.subarray(0, half), into);
      assert.equal(firstHalf.length, whole.length / 2);
      const secondHalf = encodeTensor(type, values.subarray(half), into.subarray(firstHalf.length));
      assert.deepEqual(concatBytes(firstHalf, secondHalf), whole);
    });

    test(`${GgmlType[type]}: a NaN or infinity is refused with its element`, () => {
      for (const bad of [NaN, Infinity]) {
        const values = seededFloats(512, 5);
        values[300] = bad;
        assert.throws(() => encodeTensor(type, values), new RegExp(`${bad} \\(element 300\\)`));
      }
    });
  }

  test("Q5_0 and Q5_1 decode hand-packed blocks: the fifth bit of element e is bit e of qh", () => {
    const quants = Array.from({ length: 32 }, (_, e) => (e * 7 + 3) % 32);
    const d = 0x3555; // 0.333251953125
    const third = halfToFloat(d);
    const q5_0 = decodeTensor(GgmlType.Q5_0, packQ5_0(d, quants), 32);
    assert.deepEqual(
      Array.from(q5_0),
      quants.map((q) => fround((q - 16) * third)),
    );
    const m = 0xbc00; // -1
    const q5_1 = decodeTensor(GgmlType.Q5_1, packQ5_1(d, m, quants), 32);
    assert.deepEqual(
      Array.from(q5_1),
      quants.map((q) => fround(fround(q * third) - 1)),
    );
  });
});

describe("bytes and per-tensor types against llama-quantize", () => {
  const binary = llamaQuantizeOrSkip("the quantizers' bytes against llama-quantize");
  const blocks = 8;
  const tensors: F32Tensor[] = [
    { name: "token_embd.weight", dims: [512, 12], values: assortedRows(512, 12, 1) },
    { name: "output.weight", dims: [512, 12], values: assortedRows(512, 12, 2) },
    { name: "output_norm.weight", dims: [512], values: seededFloats(512, 3) },
    // Rows of 96 are whole 32-value blocks but not 256-value ones; rows of 40 are neither.
    { name: "blk.0.attn_q.weight", dims: [96, 16], values: assortedRows(96, 16, 4) },
    { name: "blk.1.attn_k.weight", dims: [40, 2], values: seededFloats(80, 5) },
    { name: "blk.2.ffn_gate_inp.weight", dims: [256, 2], values: seededFloats(512, 6) },
  ];
  for (let block = 0; block < blocks; block++) {
    tensors.push(
      { name: `blk.${block}.attn_norm.weight`, dims: [256], values: seededFloats(256, 10 + block) },
      { name: `blk.${block}.attn_v.weight`, dims: [256, 8], values: assortedRows(256, 8, 20 + block) },
      { name: `blk.${block}.ffn_down.weight`, dims: [512, 8], values: assortedRows(512, 8, 40 + block) },
    );
  }

  for (const preset of ["Q4_K_M", "Q5_K_M", "Q6_K", "Q4_0", "Q4_K_S", "Q5_K_S"] as const) {
    test(`${preset}: every tensor has llama-quantize's type and bytes`, { skip: binary === undefined }, () =>
      withTempDir(async (dir) => {
        const input = join(dir, "input.gguf");
        const output = join(dir, `${preset}.gguf`);
        await writeF32LlamaModel(input, tensors, blocks);
        await llamaQuantize(binary!, input, output, preset);
        const [ours, theirs] = [await openGguf(input), await openGguf(output)];
        try {
          const typeOf = outputTensorTypes(ours, preset);
          const chosen = new Set<string>();
          for (const tensor of tensors) {
            const reference = theirs.tensor(tensor.name);
            assert.ok(reference, `llama-quantize wrote ${tensor.name}`);
            const type = typeOf({ ...tensor, type: GgmlType.F32 });
            assert.equal(GgmlType[type], GgmlType[reference.type], `${tensor.name}: type`);
            chosen.add(GgmlType[type]);
            const expected = await theirs.readTensorBytes(tensor.name);
            const actual = encodeTensor(type, tensor.values);
            const block = firstDifferentBlock(type, actual, expected);
            assert.equal(
              block,
              undefined,
              `${tensor.name} (${GgmlType[type]}): first different block ${block}`,
            );
            assert.equal(actual.length, expected.length);
          }
          assert.equal(theirs.get("general.file_type"), fileTypeOf[preset]);
          assert.ok(chosen.size >= 3, `the preset mixes types: ${[...chosen].join(", ")}`);
        } finally {
          await ours.close();
          await theirs.close();
        }
      }),
    );
  }
});
