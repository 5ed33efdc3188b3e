import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { LlamaCppSourceOptions } from "./llamaCppSource.js";
import { pinnedCorpora } from "./pinnedCorpora.js";
import {
  buildTinyModelSet,
  defaultTinyModelSetOptions,
  tinyModelSetVersion,
  type TinyModelSetCorpora,
  type TinyModelSetManifest,
  type TinyModelSetOptions,
} from "./tinyModelSet.js";

export interface TinyModelSet {
  dir: string;
  manifest: TinyModelSetManifest;
  draft: string;
  target: string;
  embedding: string;
  /** The bigram target and draft with compiled copy heads: they read their prompt. */
  copyTarget: string;
  copyDraft: string;
  fineTunes: Record<string, string>;
  adapters: Record<string, string>;
  /** True when this call built the set (false: reused). */
  built: boolean;
}

export interface TinyModelStoreOptions {
  /** Folder that holds built sets, one sub-folder per key. */
  cacheDir: string;
  /** node-llama-cpp's package folder: the source of the pinned corpora. */
  nodeLlamaCppDir: string;
  options?: TinyModelSetOptions;
  /** Mixed into the key, e.g. a hash of the builder's own source in development. */
  keySalt?: string;
  /** Where llama.cpp's source comes from (default: the packaged extracted copy, else a git checkout). */
  llamaCppSource?: LlamaCppSourceOptions;
}

/**
 * The key of a set's folder (`tiny-models-<key>`): builder version, options, salt and the corpora's hashes.
 */
export function tinyModelSetKey(
  corpora: TinyModelSetCorpora,
  options: TinyModelSetOptions = defaultTinyModelSetOptions,
  keySalt = "",
): string {
  return createHash("sha256")
    .update(`${tinyModelSetVersion}\n${JSON.stringify(options)}\n${keySalt}\n`)
    .update(
      [corpora.code, corpora.python, corpora.cpp]
        .map((corpus) => `${corpus.name} ${corpus.sha256}`)
        .join("\n"),
    )
    .digest("hex")
    .slice(0, 16);
}

/**
 * The tiny model set, built on first use and reused while the corpora, options and builder version
 * stay the same. Built in a staging folder and renamed, so a crash or a parallel build never leaves a
 * half-built set behind.
 */
export async function ensureTinyModelSet(store: TinyModelStoreOptions): Promise<TinyModelSet> {
  const options = store.options ?? defaultTinyModelSetOptions;
  const corpora = await pinnedCorpora(store.nodeLlamaCppDir, store.cacheDir, store.llamaCppSource);
  const key = tinyModelSetKey(corpora, options, store.keySalt);
  const dir = join(store.cacheDir, `tiny-models-${key}`);
  let built = false;
  if (!existsSync(join(dir, "manifest.json"))) {
    const staging = `${dir}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await buildTinyModelSet(staging, corpora, options);
    try {
      await rename(staging, dir);
      built = true;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(join(dir, "manifest.json"))) throw error;
    }
    if (built) await pruneStaleSets(store.cacheDir, dir);
  }
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as TinyModelSetManifest;
  const at = (file: string): string => join(dir, file);
  return {
    dir,
    manifest,
    draft: at(manifest.models.draft),
    target: at(manifest.models.target),
    embedding: at(manifest.models.embedding),
    copyTarget: at(manifest.models.copyTarget),
    copyDraft: at(manifest.models.copyDraft),
    fineTunes: Object.fromEntries(
      Object.entries(manifest.models.fineTunes).map(([name, file]) => [name, at(file)]),
    ),
    adapters: Object.fromEntries(
      Object.entries(manifest.adapters).map(([name, adapter]) => [name, at(adapter.file)]),
    ),
    built,
  };
}

/** Sets built by older builders or corpora (~360 MB each), untouched for a day, are removed. */
async function pruneStaleSets(cacheDir: string, keep: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of await readdir(cacheDir)) {
    const path = join(cacheDir, entry);
    if (!entry.startsWith("tiny-models-") || path === keep) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (mtimeMs < dayAgo) await rm(path, { recursive: true, force: true });
  }
}
