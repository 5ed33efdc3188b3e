// The shared syntax layer: tree-sitter parsing, definitions and syntax-aware chunks.
export {
  languageForPath,
  languageForVsCodeId,
  languageIds,
  isJavaScriptFamily,
  type LanguageId,
} from "./languages.js";
export { parse, parserFor, withSyntaxTree, type SyntaxTree, type SyntaxNode } from "./parser.js";
export { setSyntaxWasmDirectory, syntaxWasmDirectory, syntaxWasmPath } from "./wasmFiles.js";
export type { Definition, DefinitionKind } from "./definition.js";
export { extractDefinitions, definitionsOfTree } from "./definitions.js";
export { chunkBySyntax, chunkSyntaxTree, type SyntaxChunk } from "./chunks.js";
