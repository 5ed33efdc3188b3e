import { Worker } from "node:worker_threads";
import type { AnalysisWorkerData } from "./analysisWorkerProtocol.js";

/**
 * Starts analysisWorker in a new thread, or returns undefined where there is no file to start it from
 * (a CommonJS bundle has no import.meta.url). The ESM bundles have it built next to them as
 * analysisWorker.mjs; from source (tsx: tests, benchmarks) the thread registers tsx first, as a worker
 * does not inherit the loader of the thread that starts it.
 */
export function startAnalysisWorker(data: AnalysisWorkerData): Worker | undefined {
  const here = typeof import.meta.url === "string" ? import.meta.url : undefined;
  if (here === undefined) return undefined;
  if (!here.endsWith(".ts")) return new Worker(new URL("./analysisWorker.mjs", here), { workerData: data });
  const script = new URL("./analysisWorker.ts", here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`,
    { eval: true, workerData: data },
  );
}
