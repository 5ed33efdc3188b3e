import { LlamaRuntime } from "../../engine/runtime/index.js";

let shared: Promise<LlamaRuntime> | undefined;

/** One Llama per test process (each getLlama() costs ~0.6 s), on the CPU with this machine's cores. */
export function testRuntime(): Promise<LlamaRuntime> {
  shared ??= LlamaRuntime.create({ gpu: "cpu" });
  return shared;
}

export async function disposeTestRuntime(): Promise<void> {
  if (!shared) return;
  const runtime = await shared;
  shared = undefined;
  await runtime.dispose();
}
