import { Worker } from "node:worker_threads";

/**
 * Starts mergeWorker in a new thread, or returns undefined where there is no file to start it from (a
 * CommonJS bundle, which has no import.meta.url). The ESM bundles (the CLI, the engine host) have it
 * built next to them as mergeWorker.mjs; from source (tsx: tests, benchmarks) the thread registers tsx
 * first, as a worker does not inherit the loader of the thread that starts it.
 */
export function startMergeWorker(): Worker | undefined {
  const here = typeof import.meta.url === "string" ? import.meta.url : undefined;
  if (here === undefined) return undefined;
  if (!here.endsWith(".ts")) return new Worker(new URL("./mergeWorker.mjs", here));
  const script = new URL("./mergeWorker.ts", here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`,
    { eval: true },
  );
}
