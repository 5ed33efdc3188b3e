import { CoopError, coopErrorCodes } from "../errors/index.js";
import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { TinyModelSet } from "../tinymodel/index.js";

export const TINY_MODEL_NAMES = [
  "draft",
  "target",
  "embedding",
  "target-ft-python",
  "target-ft-cpp",
  "lora-python",
  "lora-cpp",
  "target-copy",
  "draft-copy",
] as const;
export type TinyModelName = (typeof TINY_MODEL_NAMES)[number];

export type ModelLocation =
  | { kind: "file"; path: string }
  /** `path` is where the downloader puts the file. */
  | { kind: "hf"; owner: string; repo: string; file: string; path: string }
  | { kind: "builtin"; name: TinyModelName };

export class ModelUriError extends CoopError {
  constructor(uri: string, reason: string) {
    super(coopErrorCodes.modelUri, `model uri '${uri}': ${reason}`);
    this.name = "ModelUriError";
  }
}

/**
 * Where a catalog uri points: a file path is relative to the catalog that names it, downloads live under
 * `modelsDir`.
 */
export function locateModel(uri: string, catalogFile: string, modelsDir: string): ModelLocation {
  if (uri.startsWith("builtin:")) {
    const name = uri.slice("builtin:".length).replace(/^tiny\//, "");
    if (!uri.startsWith("builtin:tiny/") || !(TINY_MODEL_NAMES as readonly string[]).includes(name)) {
      throw new ModelUriError(
        uri,
        `unknown builtin model; expected builtin:tiny/<name> with name one of ${TINY_MODEL_NAMES.join(", ")}`,
      );
    }
    return { kind: "builtin", name: name as TinyModelName };
  }
  if (uri.startsWith("hf:")) {
    const [owner, repo, ...rest] = uri.slice(3).split("/");
    const file = rest.join("/");
    if (!owner || !repo || !file.endsWith(".gguf") || rest.includes(".."))
      throw new ModelUriError(uri, "expected hf:<owner>/<repo>/<file>.gguf");
    return { kind: "hf", owner, repo, file, path: join(modelsDir, "hf", owner, repo, ...rest) };
  }
  return { kind: "file", path: isAbsolute(uri) ? uri : resolve(catalogFile, "..", uri) };
}

/** The path of a builtin tiny model inside a built set. */
export function tinyModelPath(set: TinyModelSet, name: TinyModelName): string {
  const paths: Record<TinyModelName, string | undefined> = {
    draft: set.draft,
    target: set.target,
    embedding: set.embedding,
    "target-ft-python": set.fineTunes.python,
    "target-ft-cpp": set.fineTunes.cpp,
    "lora-python": set.adapters.python,
    "lora-cpp": set.adapters.cpp,
    "target-copy": set.copyTarget,
    "draft-copy": set.copyDraft,
  };
  const path = paths[name];
  if (path === undefined)
    throw new ModelUriError(`builtin:tiny/${name}`, `the tiny model set in ${set.dir} has no ${name}`);
  return path;
}

/**
 * Whether some tiny model set was built in `cacheDir` (without building or keying one: cheap, for listings).
 */
export function tinyModelSetPresent(cacheDir: string): boolean {
  if (!existsSync(cacheDir)) return false;
  return readdirSync(cacheDir).some(
    (entry) =>
      entry.startsWith("tiny-models-") &&
      !entry.includes(".tmp-") &&
      existsSync(join(cacheDir, entry, "manifest.json")),
  );
}
