import type { Definition, DefinitionKind } from "../syntax/definition.js";
import type { SourceChunk } from "./chunks.js";
import { lineWindowChunks } from "./chunks.js";

export type SymbolKind = DefinitionKind;

/** A definition found in a file (lines and columns 0-based): the syntax layer's. */
export type FileDefinition = Definition;

export interface FileAnalysis {
  chunks: SourceChunk[];
  definitions: FileDefinition[];
}

/** Turns one file's text into chunks and definitions; the retriever's only view of syntax. */
export interface FileAnalyzer {
  /** Names the chunking (and its settings): an index built by another analyzer is rebuilt. */
  readonly id: string;
  analyze(path: string, source: string): Promise<FileAnalysis>;
  /**
   * Starts loading, in the background, what analysing such a file needs (its grammar), so that the
   * first analyses do not wait for it; called as the walk meets each file to analyse.
   */
  prepare?(path: string): void;
}

/** Line windows and no definitions: for files no grammar covers. */
export function lineWindowAnalyzer(maxLines: number): FileAnalyzer {
  return {
    id: `lines-1:${maxLines}`,
    analyze: (_path, source) =>
      Promise.resolve({ chunks: lineWindowChunks(source, maxLines), definitions: [] }),
  };
}
