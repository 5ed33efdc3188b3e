import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { coopPackageDir } from "../paths.js";
import { llamaCppCorpusSpecs, type LlamaCppCorpusSpec } from "./llamaCppCorpusSpecs.js";
import { describeError } from "../errors/index.js";

/**
 * Where a packaged Coop ships the llama.cpp files its tiny models read (relative to its package
 * folder, `/`-separated), so that it needs neither git nor node-llama-cpp's 35 MB source bundle.
 */
export const packagedLlamaCppSourceFolder = "corpora/llama.cpp";

/** The marker in the extracted folder: what it was extracted from, and every file with its hash. */
export const extractedSourceMarkerFile = "coop-source.json";

export interface ExtractedLlamaCppSourceMarker {
  format: 1;
  /** The node-llama-cpp whose source bundle the files come from. */
  nodeLlamaCppVersion: string;
  /** sha256 of that bundle (node-llama-cpp/llama/gitRelease.bundle). */
  bundleSha256: string;
  /**
   * The corpora's specs as they were when extracted, each with its files: path (under `folder`) to sha256.
   */
  corpora: (Omit<LlamaCppCorpusSpec, "corpus"> & { files: Record<string, string> })[];
}

export type ExtractedSourceCheck = { usable: true } | { usable: false; reason: string };

/**
 * The extracted llama.cpp source of this Coop: `corpora/llama.cpp` in its package folder (it may not exist).
 */
export function packagedLlamaCppSourceDir(): string {
  return join(coopPackageDir(), ...packagedLlamaCppSourceFolder.split("/"));
}

export function nodeLlamaCppSourceBundle(nodeLlamaCppDir: string): string {
  return join(nodeLlamaCppDir, "llama", "gitRelease.bundle");
}

/**
 * Whether `dir` holds exactly the llama.cpp files the corpora read, extracted for the installed
 * node-llama-cpp: its marker names that node-llama-cpp (and that bundle, when it is installed), the
 * corpora's current specs, and every file under their folders with its hash. Anything else is refused
 * with the reason, so the corpora (and the tiny models' cache key) never differ from a git checkout's.
 */
export async function checkExtractedLlamaCppSource(
  dir: string,
  nodeLlamaCppDir: string,
): Promise<ExtractedSourceCheck> {
  const refuse = (why: string): ExtractedSourceCheck => ({
    usable: false,
    reason: `the extracted copy at ${dir} cannot be used (${why})`,
  });
  if (!existsSync(dir))
    return { usable: false, reason: `this installation has no extracted copy (no ${dir})` };
  const markerPath = join(dir, extractedSourceMarkerFile);
  if (!existsSync(markerPath)) return refuse(`it has no ${extractedSourceMarkerFile}`);
  let marker: unknown;
  try {
    marker = JSON.parse(await readFile(markerPath, "utf8"));
  } catch (error) {
    return refuse(`${extractedSourceMarkerFile} is not valid JSON (${describeError(error)})`);
  }
  if (!isMarker(marker)) return refuse(`${extractedSourceMarkerFile} is not a format 1 marker`);

  const installed = await installedNodeLlamaCppVersion(nodeLlamaCppDir);
  if (marker.nodeLlamaCppVersion !== installed) {
    return refuse(
      `it was extracted from node-llama-cpp ${marker.nodeLlamaCppVersion}, and ${installed ?? "no node-llama-cpp"} is installed at ${nodeLlamaCppDir}`,
    );
  }
  const bundle = nodeLlamaCppSourceBundle(nodeLlamaCppDir);
  if (existsSync(bundle) && (await sha256File(bundle)) !== marker.bundleSha256)
    return refuse(`it was extracted from another source bundle than ${bundle}`);
  const specs = marker.corpora.map(({ files: _files, ...spec }) => spec);
  const expectedSpecs = llamaCppCorpusSpecs.map(({ corpus: _corpus, ...spec }) => spec);
  if (JSON.stringify(specs) !== JSON.stringify(expectedSpecs))
    return refuse("it was extracted for other corpus settings than this Coop's");

  for (const corpus of marker.corpora) {
    const root = join(dir, corpus.folder);
    const present = existsSync(root) ? await filesUnder(root) : [];
    const listed = Object.keys(corpus.files).sort();
    const extra = present.filter((path) => !Object.hasOwn(corpus.files, path));
    const missing = listed.filter((path) => !present.includes(path));
    if (missing.length > 0)
      return refuse(
        `${corpus.folder}/${missing[0]} is missing${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ""}`,
      );
    if (extra.length > 0) return refuse(`${corpus.folder}/${extra[0]} is not one of the extracted files`);
    for (const path of listed) {
      if (sha256(await readFile(join(root, path))) !== corpus.files[path])
        return refuse(`${corpus.folder}/${path} differs from the extracted file`);
    }
  }
  return { usable: true };
}

export async function installedNodeLlamaCppVersion(nodeLlamaCppDir: string): Promise<string | undefined> {
  try {
    const version = (
      JSON.parse(await readFile(join(nodeLlamaCppDir, "package.json"), "utf8")) as { version?: unknown }
    ).version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every non-folder entry under `root`, as `/`-separated relative paths, sorted. */
async function filesUnder(root: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(root, path)));
    else found.push(path);
  }
  return found.sort();
}

function isMarker(value: unknown): value is ExtractedLlamaCppSourceMarker {
  if (typeof value !== "object" || value === null) return false;
  const marker = value as Record<string, unknown>;
  return (
    marker.format === 1 &&
    typeof marker.nodeLlamaCppVersion === "string" &&
    typeof marker.bundleSha256 === "string" &&
    Array.isArray(marker.corpora) &&
    marker.corpora.every(isMarkedCorpus)
  );
}

function isMarkedCorpus(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const corpus = value as Record<string, unknown>;
  return (
    typeof corpus.folder === "string" &&
    typeof corpus.files === "object" &&
    corpus.files !== null &&
    Object.values(corpus.files).every((hash) => typeof hash === "string")
  );
}
