import { Worker } from "node:worker_threads";

/**
 * Starts the worker `name` in a new thread, from the folder of `here` (the caller's import.meta.url), or
 * returns undefined where there is no file to start it from (a CommonJS bundle has no import.meta.url).
 * The ESM bundles (the engine host, the CLI) have each worker built next to them as `name`.mjs; from
 * source (tsx: tests, benchmarks) the caller's folder holds `name`.ts, and the thread registers tsx
 * first, as a worker does not inherit the loader of the thread that starts it.
 */
export function startBundledWorker(
  here: string | undefined,
  name: string,
  workerData?: unknown,
): Worker | undefined {
  // In a CommonJS bundle the caller's import.meta is empty.
  if (typeof here !== "string") return undefined;
  if (!here.endsWith(".ts")) return new Worker(new URL(`./${name}.mjs`, here), { workerData });
  const script = new URL(`./${name}.ts`, here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`,
    { eval: true, workerData },
  );
}
