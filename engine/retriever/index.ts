export { Retriever } from "./retriever.js";
export type {
  RetrieverOptions,
  IndexProgress,
  IndexSummary,
  QueryOptions,
  RetrievedChunk,
} from "./retriever.js";
export type { Embedder } from "./embedder.js";
export type { CursorText } from "./cursorDefinitions.js";
export { LlamaEmbedder } from "./llamaEmbedder.js";
export { SymbolTable, boundedEditDistance } from "./symbolTable.js";
export type { WorkspaceSymbol, NearestName } from "./symbolTable.js";
export type { FileAnalyzer, FileAnalysis, FileDefinition, SymbolKind } from "./fileAnalyzer.js";
export { lineWindowAnalyzer } from "./fileAnalyzer.js";
export { defaultSyntaxAnalyzer } from "./syntaxAnalyzer.js";
export type { SourceChunk } from "./chunks.js";
export type { LineRange } from "./recency.js";
export { codeTerms, identifiersIn } from "./codeTokens.js";
export { defaultIgnorePatterns, walkWorkspace, isWorkspacePathIgnored } from "./workspaceFiles.js";
export type { WalkOptions, WorkspaceFile } from "./workspaceFiles.js";
export { reciprocalRankFusion } from "./rankFusion.js";
export { fitToBudget, packToBudget, approximateTokenCount } from "./tokenBudget.js";
export type { PackableChunk, PackOptions } from "./tokenBudget.js";
