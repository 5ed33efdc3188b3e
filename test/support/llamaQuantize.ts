import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { GgmlType, GgufWriter, gguf } from "../../engine/gguf/index.js";
import { coopCacheDir } from "./cacheDir.js";
import { repoRoot } from "./repoRoot.js";

const run = promisify(execFile);

/**
 * Where scripts/build-llama-server.sh puts llama-quantize for the llama.cpp version node-llama-cpp
 * ships, and whether it is there. Tests never build it (minutes of compiling): .ci/run does.
 */
export function llamaQuantizeBinary():
  { path: string; built: true } | { path: string; built: false; reason: string } {
  const info = join(repoRoot, "node_modules", "node-llama-cpp", "llama", "llama.cpp.info.json");
  const tag = (JSON.parse(readFileSync(info, "utf8")) as { tag: string }).tag;
  const folder = join(coopCacheDir(), `llama-server-${tag}`);
  const path = join(folder, "bin", "llama-quantize");
  if (existsSync(join(folder, ".complete")) && existsSync(path)) return { path, built: true };
  return {
    path,
    built: false,
    reason: `llama-quantize for llama.cpp ${tag} is not built (no ${path}); run scripts/build-llama-server.sh (needs cmake and a C++ compiler, a few minutes on 2 cores, once)`,
  };
}

/**
 * The binary, or undefined after printing why the caller skips; in CI (CI=true) a missing binary is a
 * broken build, not a reason to skip, so it throws.
 */
export function llamaQuantizeOrSkip(what: string): string | undefined {
  const binary = llamaQuantizeBinary();
  if (binary.built) return binary.path;
  if (process.env.CI === "true")
    throw new Error(`CI must compare ${what} with llama-quantize: ${binary.reason}`);
  console.warn(`SKIPPED ${what}: ${binary.reason}`);
  return undefined;
}

/** `llama-quantize [--pure] input output preset threads` (rows are quantized independently of threads). */
export async function llamaQuantize(
  binary: string,
  input: string,
  output: string,
  preset: string,
  options: { pure?: boolean; threads?: number } = {},
): Promise<void> {
  const args = [...(options.pure ? ["--pure"] : []), input, output, preset, String(options.threads ?? 1)];
  try {
    await run(binary, args, {
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`llama-quantize ${preset} ${input} failed: ${stderr?.slice(-2000) ?? String(error)}`, {
      cause: error,
    });
  }
}

export interface F32Tensor {
  name: string;
  dims: number[];
  values: Float32Array;
}

/**
 * A GGUF llama-quantize accepts as a llama model (the hyperparameters its loader reads) holding these F32
 * tensors; their shapes need not fit the hyperparameters, which quantizing never checks.
 */
export async function writeF32LlamaModel(
  path: string,
  tensors: readonly F32Tensor[],
  blockCount: number,
): Promise<void> {
  const writer = await GgufWriter.create(path);
  try {
    writer.setMetadata("general.architecture", gguf.str("llama"));
    writer.setMetadata("general.name", gguf.str("coop-quantize-reference"));
    writer.setMetadata("general.file_type", gguf.u32(0));
    writer.setMetadata("llama.block_count", gguf.u32(blockCount));
    writer.setMetadata("llama.context_length", gguf.u32(256));
    writer.setMetadata("llama.embedding_length", gguf.u32(256));
    writer.setMetadata("llama.feed_forward_length", gguf.u32(256));
    writer.setMetadata("llama.attention.head_count", gguf.u32(4));
    writer.setMetadata("llama.attention.head_count_kv", gguf.u32(4));
    writer.setMetadata("llama.attention.layer_norm_rms_epsilon", gguf.f32(1e-5));
    writer.setMetadata("llama.vocab_size", gguf.u32(256));
    for (const tensor of tensors) writer.addTensor(tensor.name, tensor.dims, GgmlType.F32);
    for (const tensor of tensors) await writer.writeTensor(tensor.name, tensor.values);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
