import { join } from "node:path";
import { readCorpus } from "./corpus.js";
import { llamaCppCorpusSpec, llamaCppCorpusSpecs } from "./llamaCppCorpusSpecs.js";
import { llamaCppSourceDir, type LlamaCppSourceOptions } from "./llamaCppSource.js";
import type { TinyModelSetCorpora } from "./tinyModelSet.js";

/**
 * The corpora of the tiny models, pinned by the installed node-llama-cpp: its own JavaScript, and the
 * Python and C++ of the llama.cpp source it ships (extracted into a packaged Coop, else checked out of
 * node-llama-cpp's git bundle once into `cacheDir`; the same files either way).
 */
export async function pinnedCorpora(
  nodeLlamaCppDir: string,
  cacheDir: string,
  source: LlamaCppSourceOptions = {},
): Promise<TinyModelSetCorpora> {
  const llamaCpp = await llamaCppSourceDir(nodeLlamaCppDir, cacheDir, source);
  const llamaCppCorpus = (corpus: "python" | "cpp") =>
    readCorpus(
      llamaCppCorpusSpec(
        llamaCppCorpusSpecs.find((spec) => spec.corpus === corpus)!,
        llamaCpp,
      ),
    );
  const [code, python, cpp] = await Promise.all([
    readCorpus({
      name: "node-llama-cpp-dist-js",
      root: join(nodeLlamaCppDir, "dist"),
      extensions: [".js"],
      maxBytes: 1_500_000,
    }),
    llamaCppCorpus("python"),
    llamaCppCorpus("cpp"),
  ]);
  return { code, python, cpp };
}
