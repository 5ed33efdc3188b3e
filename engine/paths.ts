import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Coop's cache for rebuildable artefacts (built models, checked-out sources). COOP_CACHE_DIR overrides. */
export function defaultCacheDir(): string {
  return process.env.COOP_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "coop");
}

/** The installed node-llama-cpp package folder (its dist/ and llama/ are read by the tiny-model builder). */
export function nodeLlamaCppPackageDir(): string {
  // Resolves to .../node-llama-cpp/dist/index.js.
  return dirname(dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))));
}
