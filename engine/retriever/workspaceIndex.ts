import type { Embedder } from "./embedder.js";
import type { FileAnalysis, SymbolKind } from "./fileAnalyzer.js";
import type { IndexedChunk, IndexedFile, StoredIndex, StoredVectors } from "./indexStore.js";
import { DefinitionFinder } from "./definitionFinder.js";
import { LexicalIndex } from "./lexicalIndex.js";
import { ModuleResolver } from "./moduleResolver.js";
import { moduleSyntaxOf, type ModuleSyntax } from "./moduleSyntax.js";
import { relativeImports } from "./relativeImports.js";
import { SymbolTable } from "./symbolTable.js";
import { VectorIndex } from "./vectorIndex.js";

export interface ChunkEntry {
  path: string;
  chunk: IndexedChunk;
}

const definitionKinds: readonly SymbolKind[] = [
  "function",
  "class",
  "interface",
  "type",
  "enum",
  "module",
  "method",
];

/**
 * The in-memory index of a workspace: its files' chunks, the lexical and vector indexes over them,
 * and the symbol table, kept consistent one file at a time.
 */
export class WorkspaceIndex {
  readonly symbols = new SymbolTable();
  readonly files = new Map<string, IndexedFile>();
  readonly chunks = new Map<number, ChunkEntry>();
  lexical = LexicalIndex.empty();
  readonly vectors: VectorIndex | undefined;
  private readonly definingChunksOfFile = new Map<string, number[]>();
  /** Cleared whenever a file comes or goes, since either can change what an import resolves to. */
  private readonly importsOfFile = new Map<string, string[]>();
  private readonly moduleSyntaxOfFile = new Map<string, ModuleSyntax>();
  /** Where a module specifier leads inside the workspace (relative imports, paths, packages). */
  readonly resolver = new ModuleResolver(
    (path) => this.files.has(path),
    () => this.files.keys(),
    (path) => (this.files.has(path) ? this.fileText(path) : undefined),
  );
  /** Follows imported names to their definitions. */
  readonly finder = new DefinitionFinder(this.symbols, (path) => this.moduleSyntax(path), this.resolver);
  private nextId = 0;

  constructor(private readonly embedder: Embedder | undefined) {
    if (embedder) this.vectors = new VectorIndex(embedder.dimension);
  }

  /** Replaces a file's chunks and definitions; its chunks get fresh ids (and need embedding again). */
  setFile(path: string, mtimeMs: number, size: number, analysis: FileAnalysis): void {
    this.removeFile(path);
    const chunks = analysis.chunks.map((chunk) => ({ ...chunk, id: this.nextId++ }));
    this.addFile({ path, mtimeMs, size, chunks, definitions: analysis.definitions });
  }

  removeFile(path: string): boolean {
    const file = this.files.get(path);
    if (!file) return false;
    for (const chunk of file.chunks) {
      this.lexical.remove(chunk.id);
      this.chunks.delete(chunk.id);
      this.vectors?.delete(chunk.id);
    }
    this.files.delete(path);
    this.definingChunksOfFile.delete(path);
    this.importsOfFile.clear();
    this.forgetModule(path);
    this.symbols.removeFile(path);
    return true;
  }

  /** Chunks that have no vector yet (none without an embedder). */
  chunksWithoutVectors(): ChunkEntry[] {
    const vectors = this.vectors;
    if (!vectors) return [];
    return [...this.chunks.values()].filter(({ chunk }) => !vectors.has(chunk.id));
  }

  /** Ids of a file's chunks where a function, method, class or type definition starts. */
  definingChunks(path: string): number[] {
    const cached = this.definingChunksOfFile.get(path);
    if (cached) return cached;
    const file = this.files.get(path);
    if (!file) return [];
    const starts = new Set(
      file.definitions
        .filter((definition) => definitionKinds.includes(definition.kind))
        .map((definition) => definition.startLine),
    );
    const ids: number[] = [];
    for (const chunk of file.chunks) {
      for (let line = chunk.startLine; line <= chunk.endLine; line++) {
        if (!starts.has(line)) continue;
        ids.push(chunk.id);
        break;
      }
    }
    this.definingChunksOfFile.set(path, ids);
    return ids;
  }

  /** The workspace files a file imports by relative path. */
  importsOf(path: string): string[] {
    let imports = this.importsOfFile.get(path);
    if (imports === undefined) {
      const file = this.files.get(path);
      const source = file ? this.fileText(path) : "";
      imports = relativeImports(path, source, (candidate) => this.files.has(candidate));
      this.importsOfFile.set(path, imports);
    }
    return imports;
  }

  /** What a JavaScript/TypeScript file imports and exports (empty for other files). */
  moduleSyntax(path: string): ModuleSyntax {
    let syntax = this.moduleSyntaxOfFile.get(path);
    if (syntax === undefined) {
      syntax = /\.[cm]?[jt]sx?$/.test(path)
        ? moduleSyntaxOf(this.fileText(path))
        : { imports: [], reExports: [], localExports: [] };
      this.moduleSyntaxOfFile.set(path, syntax);
    }
    return syntax;
  }

  /**
   * A file's text as its chunks hold it: each line once, in order (chunks may overlap; lines no chunk
   * holds, such as blank runs between declarations, are left out).
   */
  fileText(path: string): string {
    const lines: string[] = [];
    let next = 0;
    for (const chunk of this.files.get(path)?.chunks ?? []) {
      const chunkLines = chunk.text.split("\n");
      const from = Math.max(0, next - chunk.startLine);
      for (let index = from; index < chunkLines.length; index++) lines.push(chunkLines[index]!);
      next = Math.max(next, chunk.startLine + chunkLines.length);
    }
    return lines.join("\n");
  }

  /** The smallest chunk of a file containing a line. */
  chunkAt(path: string, line: number): IndexedChunk | undefined {
    const chunks = this.files.get(path)?.chunks ?? [];
    // Chunks are in line order: find the last one starting at or before the line, then look back
    // over the few that can still reach it (line windows overlap their predecessor).
    let low = 0;
    let high = chunks.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (chunks[middle]!.startLine <= line) low = middle + 1;
      else high = middle - 1;
    }
    let best: IndexedChunk | undefined;
    for (let index = high; index >= 0 && index > high - 3; index--) {
      const chunk = chunks[index]!;
      if (chunk.endLine < line) continue;
      if (!best || chunk.endLine - chunk.startLine < best.endLine - best.startLine) best = chunk;
    }
    return best;
  }

  /** Takes over a stored index; false (and nothing taken) when it does not fit. */
  restore(stored: StoredIndex): boolean {
    try {
      this.lexical = LexicalIndex.fromSnapshot(stored.lexical);
    } catch {
      return false;
    }
    this.nextId = stored.nextId;
    for (const file of stored.files) {
      this.files.set(file.path, file);
      this.symbols.setFile(file.path, file.definitions);
      for (const chunk of file.chunks) this.chunks.set(chunk.id, { path: file.path, chunk });
    }
    const { embedder, vectors } = this;
    if (
      embedder &&
      vectors &&
      stored.vectors?.embedderId === embedder.id &&
      stored.vectors.dimension === embedder.dimension
    ) {
      const { ids, values, dimension } = stored.vectors;
      ids.forEach((id, row) => {
        if (this.chunks.has(id)) vectors.set(id, values.subarray(row * dimension, (row + 1) * dimension));
      });
    }
    return true;
  }

  snapshot(analyzerId: string): StoredIndex {
    let vectors: StoredVectors | undefined;
    if (this.embedder && this.vectors) {
      const ids: number[] = [];
      const values = new Float32Array(this.vectors.size * this.vectors.dimension);
      for (const [id, vector] of this.vectors.entries()) {
        values.set(vector, ids.length * this.vectors.dimension);
        ids.push(id);
      }
      vectors = { embedderId: this.embedder.id, dimension: this.vectors.dimension, ids, values };
    }
    return {
      analyzerId,
      nextId: this.nextId,
      files: [...this.files.values()],
      lexical: this.lexical.snapshot(),
      vectors,
    };
  }

  private forgetModule(path: string): void {
    this.moduleSyntaxOfFile.delete(path);
    this.resolver.invalidate(path);
    this.finder.invalidate();
  }

  private addFile(file: IndexedFile): void {
    this.files.set(file.path, file);
    this.definingChunksOfFile.delete(file.path);
    this.importsOfFile.clear();
    this.forgetModule(file.path);
    this.symbols.setFile(file.path, file.definitions);
    for (const chunk of file.chunks) {
      this.chunks.set(chunk.id, { path: file.path, chunk });
      this.lexical.add({
        id: chunk.id,
        path: file.path,
        names: namesDefinedIn(file, chunk),
        text: chunk.text,
      });
    }
  }
}

/** The chunk's own name and the names of the definitions that start in it. */
function namesDefinedIn(file: IndexedFile, chunk: IndexedChunk): string {
  const names = new Set<string>();
  if (chunk.name) names.add(chunk.name);
  for (const definition of file.definitions) {
    if (definition.startLine >= chunk.startLine && definition.startLine <= chunk.endLine)
      names.add(definition.name);
  }
  return [...names].join(" ");
}
