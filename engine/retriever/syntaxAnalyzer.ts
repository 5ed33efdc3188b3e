import { chunkBySyntax, extractDefinitions, languageForPath } from "../syntax/index.js";
import { lineWindowChunks } from "./chunks.js";
import type { FileAnalysis, FileAnalyzer } from "./fileAnalyzer.js";

/**
 * Chunks along declarations and reads definitions with tree-sitter where a grammar fits the file,
 * line windows without definitions elsewhere (or when the grammar fails on the file).
 */
export function defaultSyntaxAnalyzer(maxLines: number): FileAnalyzer {
  return {
    id: `syntax-1:${maxLines}`,
    async analyze(path: string, source: string): Promise<FileAnalysis> {
      const language = languageForPath(path);
      if (language !== undefined) {
        try {
          const chunks = (await chunkBySyntax(source, language, { maxLines })).filter(
            (chunk) => chunk.text.trim() !== "",
          );
          return { chunks, definitions: await extractDefinitions(source, language) };
        } catch {
          // An unparsable file still deserves to be found by its words.
        }
      }
      return { chunks: lineWindowChunks(source, maxLines), definitions: [] };
    },
  };
}
