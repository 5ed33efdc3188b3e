import {
  chunkSyntaxTree,
  definitionsOfTree,
  languageForPath,
  parserFor,
  withSyntaxTree,
  type LanguageId,
} from "../syntax/index.js";
import { lineWindowChunks } from "./chunks.js";
import type { FileAnalysis, FileAnalyzer } from "./fileAnalyzer.js";

/**
 * Chunks along declarations and reads definitions with tree-sitter where a grammar fits the file (one
 * parse for both), line windows without definitions elsewhere (or when the grammar fails on the file).
 */
export function defaultSyntaxAnalyzer(maxLines: number): FileAnalyzer {
  const prepared = new Set<LanguageId>();
  return {
    id: `syntax-1:${maxLines}`,
    prepare(path: string): void {
      const language = languageForPath(path);
      if (language === undefined || prepared.has(language)) return;
      prepared.add(language);
      // A grammar that fails to load here fails again, and is handled, where a file is analysed.
      parserFor(language).catch(() => undefined);
    },
    async analyze(path: string, source: string): Promise<FileAnalysis> {
      const language = languageForPath(path);
      if (language !== undefined) {
        try {
          return await withSyntaxTree(source, language, (tree) => ({
            chunks: chunkSyntaxTree(tree, { maxLines }).filter((chunk) => chunk.text.trim() !== ""),
            definitions: definitionsOfTree(tree.rootNode, language),
          }));
        } catch {
          // An unparsable file still deserves to be found by its words.
        }
      }
      return { chunks: lineWindowChunks(source, maxLines), definitions: [] };
    },
  };
}
