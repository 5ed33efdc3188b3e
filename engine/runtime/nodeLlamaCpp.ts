import type * as NodeLlamaCpp from "node-llama-cpp";

export type NodeLlamaCppModule = typeof NodeLlamaCpp;

let modulePromise: Promise<NodeLlamaCppModule> | undefined;

/**
 * The only place that loads node-llama-cpp. It is ESM-only and native, so it stays external to the
 * bundles and is reached through a dynamic import(), which esbuild keeps as an import() in the
 * CommonJS extension bundle (test/engine/bundle.test.ts checks that).
 */
export function importNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  modulePromise ??= import("node-llama-cpp");
  return modulePromise;
}
