import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { readCorpus } from "./corpus.js";
import type { TinyModelSetCorpora } from "./tinyModelSet.js";

const run = promisify(execFile);

/**
 * The corpora of the tiny models, pinned by the installed node-llama-cpp: its own JavaScript, and the
 * Python and C++ of the llama.cpp source it ships as a git bundle (checked out once into `cacheDir`).
 */
export async function pinnedCorpora(nodeLlamaCppDir: string, cacheDir: string): Promise<TinyModelSetCorpora> {
  const llamaCpp = await llamaCppSourceDir(nodeLlamaCppDir, cacheDir);
  const [code, python, cpp] = await Promise.all([
    readCorpus({ name: "node-llama-cpp-dist-js", root: join(nodeLlamaCppDir, "dist"), extensions: [".js"], maxBytes: 1_500_000 }),
    readCorpus({ name: "llama.cpp-gguf-py", root: join(llamaCpp, "gguf-py"), extensions: [".py"], maxBytes: 800_000 }),
    readCorpus({ name: "llama.cpp-src", root: join(llamaCpp, "src"), extensions: [".cpp", ".h"], maxBytes: 800_000 }),
  ]);
  return { code, python, cpp };
}

/** llama.cpp's source as node-llama-cpp ships it, checked out into the cache once per bundle. */
export async function llamaCppSourceDir(nodeLlamaCppDir: string, cacheDir: string): Promise<string> {
  const bundle = join(nodeLlamaCppDir, "llama", "gitRelease.bundle");
  if (!existsSync(bundle)) throw new Error(`llama.cpp source bundle not found at ${bundle}`);
  const key = (await sha256File(bundle)).slice(0, 16);
  const dir = join(cacheDir, `llama.cpp-src-${key}`);
  const doneMarker = join(dir, ".coop-complete");
  if (existsSync(doneMarker)) return dir;
  await mkdir(cacheDir, { recursive: true });
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await run("git", ["-c", "advice.detachedHead=false", "clone", "--quiet", bundle, staging]);
  await writeFile(join(staging, ".coop-complete"), "");
  try {
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(doneMarker)) throw error;
  }
  return dir;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
