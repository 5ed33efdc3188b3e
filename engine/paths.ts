import { existsSync } from "node:fs";
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

/**
 * Coop's own package folder: the nearest folder above this module with a package.json, which is the
 * repo when run from source and the extension's folder when bundled into out/ (where the files a VSIX
 * ships next to out/ live: models.json, corpora/).
 */
export function coopPackageDir(): string {
  // The ESM bundles and tsx set import.meta.url; the CommonJS bundle has __filename instead.
  const here = dirname(typeof import.meta.url === "string" ? fileURLToPath(import.meta.url) : __filename);
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found above ${here}`);
  }
}
