import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";

export interface CorpusSpec {
  /** A short name, used in model metadata. */
  name: string;
  /** Folder to read. */
  root: string;
  /** File name endings to include, e.g. [".js", ".ts"]. */
  extensions: string[];
  /** Stop adding files once this many bytes were read (files are taken in path order). */
  maxBytes: number;
  /** Paths (relative to root, `/`-separated) containing one of these parts are skipped. */
  excludeParts?: string[];
}

export interface Corpus {
  name: string;
  files: { path: string; text: string }[];
  bytes: number;
  /** sha256 over the paths and contents, in order: the corpus's identity for caches. */
  sha256: string;
}

/** Reads a deterministic code corpus: files sorted by path, whole files only, up to a byte budget. */
export async function readCorpus(spec: CorpusSpec): Promise<Corpus> {
  const paths = (await listFiles(spec.root))
    .map((path) => relative(spec.root, path).split(sep).join("/"))
    .filter((path) => spec.extensions.includes(extname(path)))
    .filter((path) => !(spec.excludeParts ?? []).some((part) => path.includes(part)))
    .sort();
  const hash = createHash("sha256");
  const files: Corpus["files"] = [];
  let bytes = 0;
  for (const path of paths) {
    const text = await readFile(join(spec.root, path), "utf8");
    if (bytes + text.length > spec.maxBytes && files.length > 0) break;
    files.push({ path, text });
    bytes += text.length;
    hash.update(path).update("\0").update(text).update("\0");
  }
  if (files.length === 0)
    throw new Error(`corpus ${spec.name}: no ${spec.extensions.join("/")} files under ${spec.root}`);
  return { name: spec.name, files, bytes, sha256: hash.digest("hex") };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory())
        return entry.name === "node_modules" || entry.name.startsWith(".")
          ? Promise.resolve([])
          : listFiles(path);
      return Promise.resolve(entry.isFile() ? [path] : []);
    }),
  );
  return nested.flat();
}
