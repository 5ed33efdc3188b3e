import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { ensureTinyModelSet, type TinyModelSet } from "../../engine/tinymodel/tinyModelStore.js";
import { pinnedCorpora } from "../../engine/tinymodel/pinnedCorpora.js";
import { coopCacheDir } from "./cacheDir.js";
import { repoRoot } from "./repoRoot.js";

export type Fixtures = TinyModelSet;

/** Code the fixtures depend on: any change to it rebuilds them. */
const builderSources = ["engine/tinymodel", "engine/gguf", "engine/linalg"];

export const nodeLlamaCppDir = join(repoRoot, "node_modules", "node-llama-cpp");

let pending: Promise<Fixtures> | undefined;

/**
 * The project's own models (see engine/tinymodel), built on first use into a cache directory outside
 * the repo, keyed by a hash of the builder's source and the corpora, and reused while neither changes.
 */
export function fixtures(): Promise<Fixtures> {
  pending ??= builderSourceHash().then((keySalt) =>
    ensureTinyModelSet({ cacheDir: coopCacheDir(), nodeLlamaCppDir, keySalt }),
  );
  return pending;
}

export function fixtureCorpora(): ReturnType<typeof pinnedCorpora> {
  return pinnedCorpora(nodeLlamaCppDir, coopCacheDir());
}

async function builderSourceHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const source of builderSources) {
    for (const file of await filesUnder(join(repoRoot, source))) {
      hash
        .update(relative(repoRoot, file))
        .update("\0")
        .update(await readFile(file))
        .update("\0");
    }
  }
  return hash.digest("hex");
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? filesUnder(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]),
    ),
  );
  return files.flat().sort();
}
