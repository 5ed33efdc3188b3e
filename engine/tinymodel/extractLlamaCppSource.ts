import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readCorpus } from "./corpus.js";
import {
  checkExtractedLlamaCppSource,
  extractedSourceMarkerFile,
  installedNodeLlamaCppVersion,
  nodeLlamaCppSourceBundle,
  sha256,
  sha256File,
  type ExtractedLlamaCppSourceMarker,
} from "./extractedLlamaCppSource.js";
import { llamaCppCorpusSpec, llamaCppCorpusSpecs } from "./llamaCppCorpusSpecs.js";
import { checkOutLlamaCppBundle, type GitRunner } from "./llamaCppSource.js";

export interface ExtractLlamaCppSourceOptions {
  /** Where node-llama-cpp's source bundle is checked out (a cache, or a scratch folder). */
  checkoutCacheDir: string;
  git?: GitRunner;
}

/**
 * Writes into `outDir` (which must not exist) the llama.cpp files the tiny models' corpora read, as
 * checked out of node-llama-cpp's source bundle with git, plus llama.cpp's licence and the marker the
 * engine checks (engine/tinymodel/extractedLlamaCppSource.ts). Packaging runs it, so that a packaged
 * Coop builds its tiny models without git or the bundle. Fails unless the copy yields the very corpora
 * the checkout does.
 */
export async function extractLlamaCppSource(
  nodeLlamaCppDir: string,
  outDir: string,
  options: ExtractLlamaCppSourceOptions,
): Promise<ExtractedLlamaCppSourceMarker> {
  if (existsSync(outDir))
    throw new Error(`${outDir} already exists: extract llama.cpp's source into a new folder`);
  const nodeLlamaCppVersion = await installedNodeLlamaCppVersion(nodeLlamaCppDir);
  if (nodeLlamaCppVersion === undefined) throw new Error(`no node-llama-cpp at ${nodeLlamaCppDir}`);
  const checkout = await checkOutLlamaCppBundle(nodeLlamaCppDir, options.checkoutCacheDir, options.git);

  const marker: ExtractedLlamaCppSourceMarker = {
    format: 1,
    nodeLlamaCppVersion,
    bundleSha256: await sha256File(nodeLlamaCppSourceBundle(nodeLlamaCppDir)),
    corpora: [],
  };
  const fromCheckout = new Map<string, string>();
  for (const spec of llamaCppCorpusSpecs) {
    // Only the files the corpus reads: it takes whole files in path order up to its byte budget.
    const corpus = await readCorpus(llamaCppCorpusSpec(spec, checkout));
    fromCheckout.set(spec.name, corpus.sha256);
    const files: Record<string, string> = {};
    for (const { path } of corpus.files) {
      const target = join(outDir, spec.folder, ...path.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(checkout, spec.folder, ...path.split("/")), target);
      files[path] = sha256(await readFile(target));
    }
    const { corpus: _corpus, ...settings } = spec;
    marker.corpora.push({ ...settings, files });
  }
  // llama.cpp is MIT-licensed: its licence goes with its code.
  if (existsSync(join(checkout, "LICENSE")))
    await copyFile(join(checkout, "LICENSE"), join(outDir, "LICENSE"));
  await writeFile(join(outDir, extractedSourceMarkerFile), JSON.stringify(marker, null, 2) + "\n");

  const check = await checkExtractedLlamaCppSource(outDir, nodeLlamaCppDir);
  if (!check.usable) throw new Error(`the llama.cpp source just extracted is refused: ${check.reason}`);
  for (const spec of llamaCppCorpusSpecs) {
    const extracted = await readCorpus(llamaCppCorpusSpec(spec, outDir));
    if (extracted.sha256 !== fromCheckout.get(spec.name)) {
      throw new Error(
        `the extracted ${spec.name} corpus differs from the one read from the checkout at ${checkout}`,
      );
    }
  }
  return marker;
}
