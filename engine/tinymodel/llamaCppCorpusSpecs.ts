import { join } from "node:path";
import type { CorpusSpec } from "./corpus.js";

/** One of the tiny models' corpora taken from llama.cpp's source tree. */
export interface LlamaCppCorpusSpec {
  /** Which corpus of the model set it is. */
  corpus: "python" | "cpp";
  name: string;
  /** The folder of llama.cpp's source tree it reads. */
  folder: string;
  extensions: string[];
  maxBytes: number;
}

/** The llama.cpp corpora: the Python of gguf-py and the C++ of src/. */
export const llamaCppCorpusSpecs: readonly LlamaCppCorpusSpec[] = [
  { corpus: "python", name: "llama.cpp-gguf-py", folder: "gguf-py", extensions: [".py"], maxBytes: 800_000 },
  { corpus: "cpp", name: "llama.cpp-src", folder: "src", extensions: [".cpp", ".h"], maxBytes: 800_000 },
];

/** The corpus spec of `spec` for a llama.cpp source tree at `sourceDir`. */
export function llamaCppCorpusSpec(spec: LlamaCppCorpusSpec, sourceDir: string): CorpusSpec {
  return {
    name: spec.name,
    root: join(sourceDir, spec.folder),
    extensions: spec.extensions,
    maxBytes: spec.maxBytes,
  };
}
