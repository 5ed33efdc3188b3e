import { createRequire } from "node:module";
import { join } from "node:path";
import type { LanguageId } from "./languages.js";

let overrideDirectory: string | undefined;

/**
 * Points the syntax layer at a folder holding `web-tree-sitter.wasm` and the `tree-sitter-<lang>.wasm`
 * grammars, for bundles that ship them next to their code instead of in node_modules.
 */
export function setSyntaxWasmDirectory(directory: string | undefined): void {
  overrideDirectory = directory;
}

/** The folder setSyntaxWasmDirectory set (undefined: the installed packages), for a worker thread to use. */
export function syntaxWasmDirectory(): string | undefined {
  return overrideDirectory;
}

/** The one place that locates wasm files: the override folder, else the installed packages. */
export function syntaxWasmPath(file: "runtime" | LanguageId): string {
  const name = file === "runtime" ? "web-tree-sitter.wasm" : `tree-sitter-${file}.wasm`;
  if (overrideDirectory !== undefined) return join(overrideDirectory, name);
  // From source (tsx) and the ESM bundle import.meta.url is set; a CommonJS bundle has its own require.
  const resolver = typeof import.meta.url === "string" ? createRequire(import.meta.url) : require;
  return file === "runtime"
    ? resolver.resolve("web-tree-sitter/web-tree-sitter.wasm")
    : resolver.resolve(`@vscode/tree-sitter-wasm/wasm/${name}`);
}
