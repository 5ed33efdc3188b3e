// Coop's quantizers against llama.cpp's llama-quantize on the same tensors: the round-trip RMSE of each
// (decoded with Coop's decoders, which are bit-exact with ggml's), their ratio, whether the bytes are
// identical, and the time each took (Coop's encoder in this process; llama-quantize with one thread,
// process start and file I/O included).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeTensor, encodeTensor, GgmlType, openGguf } from "../../engine/gguf/index.js";
import { llamaQuantizeBinary, writeF32LlamaModel, type F32Tensor } from "../../test/support/llamaQuantize.js";

const run = promisify(execFile);

export interface QuantizedComparison {
  /** Coop's RMSE over llama-quantize's on the same tensors (1 when the bytes are the same). */
  rmseVsLlamaQuantize: number;
  coopRmse: number;
  llamaQuantizeRmse: number;
  identicalBytes: boolean;
  coopEncodeSeconds: number;
  llamaQuantizeSeconds: number;
}

/** Each type, and the llama-quantize preset that writes every tensor in it with --pure. */
const presets: [GgmlType, string][] = [
  [GgmlType.Q4_K, "Q4_K_S"],
  [GgmlType.Q5_K, "Q5_K_S"],
  [GgmlType.Q6_K, "Q6_K"],
  [GgmlType.Q4_0, "Q4_0"],
];

const ROW_LENGTH = 4096;
const ROWS = 64;
const TENSORS = 4;

/**
 * Weight-like values (mulberry32 through Box-Muller): Gaussian rows whose spread varies from row to row,
 * with a rare outlier, as in trained matrices.
 */
function weightLike(seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(ROW_LENGTH * ROWS);
  for (let row = 0; row < ROWS; row++) {
    const spread = 0.005 + 0.04 * uniform();
    for (let i = row * ROW_LENGTH; i < (row + 1) * ROW_LENGTH; i++) {
      const gaussian = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      out[i] = gaussian * spread * (uniform() < 0.001 ? 8 : 1);
    }
  }
  return out;
}

function squaredError(type: GgmlType, bytes: Uint8Array, values: Float32Array): number {
  const decoded = decodeTensor(type, bytes, values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (decoded[i]! - values[i]!) ** 2;
  return sum;
}

/**
 * Runs the comparison in `dir`, or prints why it is skipped and returns undefined when llama-quantize is
 * not built (scripts/build-llama-server.sh builds it).
 */
export async function compareWithLlamaQuantize(
  dir: string,
): Promise<Record<string, QuantizedComparison> | undefined> {
  const binary = llamaQuantizeBinary();
  if (!binary.built) {
    console.log(`\nSKIPPED the quantized comparison with llama-quantize: ${binary.reason}`);
    return undefined;
  }
  const tensors: F32Tensor[] = Array.from({ length: TENSORS }, (_, t) => ({
    name: `blk.${t}.ffn_up.weight`,
    dims: [ROW_LENGTH, ROWS],
    values: weightLike(t + 1),
  }));
  const input = join(dir, "quantize-input.gguf");
  await writeF32LlamaModel(input, tensors, TENSORS);
  const elementCount = TENSORS * ROW_LENGTH * ROWS;
  const results: Record<string, QuantizedComparison> = {};
  for (const [type, preset] of presets) {
    const output = join(dir, `quantize-${preset}.gguf`);
    const started = performance.now();
    await run(binary.path, ["--pure", input, output, preset, "1"], { maxBuffer: 16 << 20 });
    const llamaQuantizeSeconds = (performance.now() - started) / 1000;
    const theirs = await openGguf(output);
    let coopError = 0;
    let theirError = 0;
    let coopEncodeSeconds = 0;
    let identicalBytes = true;
    try {
      for (const tensor of tensors) {
        const reference = theirs.tensor(tensor.name);
        if (reference?.type !== type)
          throw new Error(`llama-quantize ${preset} --pure wrote ${tensor.name} as ${reference?.type}`);
        const encodeStarted = performance.now();
        const ours = encodeTensor(type, tensor.values);
        coopEncodeSeconds += (performance.now() - encodeStarted) / 1000;
        const theirBytes = await theirs.readTensorBytes(tensor.name);
        identicalBytes &&= Buffer.from(ours).equals(Buffer.from(theirBytes));
        coopError += squaredError(type, ours, tensor.values);
        theirError += squaredError(type, theirBytes, tensor.values);
      }
    } finally {
      await theirs.close();
    }
    const coopRmse = Math.sqrt(coopError / elementCount);
    const llamaQuantizeRmse = Math.sqrt(theirError / elementCount);
    results[GgmlType[type]] = {
      rmseVsLlamaQuantize: coopRmse / llamaQuantizeRmse,
      coopRmse,
      llamaQuantizeRmse,
      identicalBytes,
      coopEncodeSeconds,
      llamaQuantizeSeconds,
    };
  }
  return results;
}
