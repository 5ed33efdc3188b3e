import { readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { CursorText } from "./cursorDefinitions.js";
import type { Embedder } from "./embedder.js";
import type { FileAnalysis, FileAnalyzer } from "./fileAnalyzer.js";
import { deleteIndex, loadIndex, saveIndex, storeDirFor } from "./indexStore.js";
import { ParallelAnalysis } from "./parallelAnalysis.js";
import { rankChunks } from "./ranking.js";
import { warmQueries } from "./warmQueries.js";
import { RecencyTracker, type LineRange } from "./recency.js";
import type { SymbolTable } from "./symbolTable.js";
import { defaultSyntaxAnalyzer } from "./syntaxAnalyzer.js";
import { isWorkspacePathIgnored, walkWorkspace, type WalkOptions } from "./workspaceFiles.js";
import { WorkspaceIndex } from "./workspaceIndex.js";
import { checkWorkspaceRoot, isPathInside, realPathInside } from "../workspace/index.js";

export interface RetrieverOptions extends WalkOptions {
  /** The workspace folder to index. */
  root: string;
  /** Where indexes persist, one folder per workspace (e.g. `defaultCacheDir()`). */
  cacheDir: string;
  /** Adds vector similarity to the lexical ranking. */
  embedder?: Embedder;
  /** Files larger than this are skipped (default 1 MiB). */
  maxFileBytes?: number;
  /** Largest chunk in lines (default 60). */
  maxChunkLines?: number;
  /** How files become chunks and definitions (default: syntax where a grammar fits, else line windows). */
  analyzer?: FileAnalyzer;
  /** Clock for recency (tests). */
  now?: () => number;
  /**
   * Share indexing's syntax analysis with a worker thread when many files changed (default true; only
   * with the default analyzer).
   */
  analysisWorker?: boolean;
}

export interface IndexProgress {
  phase: "scan" | "index" | "embed" | "save";
  done: number;
  total: number;
  path?: string;
}

export interface IndexSummary {
  /** Files in the index afterwards. */
  files: number;
  chunks: number;
  /** Files (re)chunked by this run. */
  indexed: string[];
  removed: string[];
  /** "outside the workspace": a symbolic link that leads out of the root (never followed nor read). */
  skipped: { path: string; reason: "binary" | "too large" | "unreadable" | "outside the workspace" }[];
  /** From the start to the index saved: walking, analysing, indexing, embedding, saving. */
  seconds: number;
  /**
   * Then, queries run over the new index to compile the ranking's code (see warmQueries): a fixed cost,
   * whatever the workspace's size, before index() resolves.
   */
  warmUpSeconds: number;
  /** Of the files indexed, how many a worker thread analysed. */
  analysedInWorker: number;
}

export interface QueryOptions {
  /** At most this many chunks (default 10). */
  k?: number;
  /**
   * Total tokens of the returned chunks' text (default: unlimited): the best-ranked chunks that fit,
   * long ones trimmed to make room for the next (see packToBudget).
   */
  budgetTokens?: number;
  /** Counts a text's tokens for the budget (default: about four characters a token). */
  countTokens?: (text: string) => number;
  /** The query's embedding, when the caller computed it already (see {@link Retriever.embedQuery}). */
  vector?: Float32Array;
  /**
   * Where the query comes from (the lines around the cursor): chunks overlapping it are left out,
   * since the prompt holds them already, and the definitions of its file and of the files it imports
   * by relative path join the candidates (a call's target is most often defined there).
   */
  from?: { path: string } & LineRange & {
      /**
       * The lines of the same file the prompt holds already (the request's prefix and suffix, around
       * the query's lines): chunks inside them are left out before the budget is spent, and a chunk
       * crossing their edge keeps only its lines outside them.
       */
      promptLines?: LineRange;
      /**
       * The editor's text before and after the cursor (the request's prefix and suffix): the names
       * the file imports are followed to their definitions, and after `expr.` the members of expr's
       * type rank first (see cursorDefinitions).
       */
      cursor?: CursorText;
    };
}

export interface RetrievedChunk {
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
  score: number;
  /**
   * The signals that put the chunk here: `lexical: …`, `vector: …`, `symbol: …`, `nearby: …`,
   * `recency: …`; and `in the prompt already: …` when lines the prompt holds were cut from it.
   */
  why: string[];
}

const defaultMaxFileBytes = 1 << 20;
const defaultMaxChunkLines = 60;
const embedBatch = 16;
/** Files analysed ahead of the one being added to the index while indexing. */
const analysesAhead = 24;
/** Indexing lets other work (requests) run at least this often. */
const yieldEveryMs = 10;

type FileOutcome = "indexed" | "binary" | "too large" | "unreadable";

/**
 * A source file's bytes, read synchronously: the analysis that follows is synchronous work anyway, and
 * an asynchronous read (open, stat, read, close, each a round trip through libuv's threads) cost more
 * CPU than the read itself (measured on 5,000 small files: about a sixth of the index's time).
 */
function readBytesNow(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * A workspace index for grounding prompts: chunks ranked by BM25 over code-aware terms, fused (RRF)
 * with vector similarity (when an embedder is given), definitions the query names, and definitions
 * near where the query comes from, then boosted by recent edits and open files; plus the workspace's
 * symbol table. Persisted per workspace; `index()` re-chunks only files whose modification time or
 * size changed, and `update(path)` re-chunks one file.
 */
export class Retriever {
  private readonly recency: RecencyTracker;
  private readonly workspace: WorkspaceIndex;
  private dirty = false;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    readonly root: string,
    /** The root with its symbolic links resolved: no file outside it is read. */
    private readonly realRoot: string,
    private readonly storeDir: string,
    private readonly options: RetrieverOptions,
    private readonly analyzer: FileAnalyzer,
  ) {
    this.recency = new RecencyTracker(undefined, options.now);
    this.workspace = new WorkspaceIndex(options.embedder);
  }

  /**
   * Opens the workspace's persisted index if there is one; call `index()` to bring it up to date. A root
   * that is not a folder is refused with a WorkspaceRootError.
   */
  static async open(options: RetrieverOptions): Promise<Retriever> {
    const root = resolve(options.root);
    const realRoot = await checkWorkspaceRoot(root);
    const analyzer = options.analyzer ?? defaultSyntaxAnalyzer(options.maxChunkLines ?? defaultMaxChunkLines);
    const retriever = new Retriever(root, realRoot, storeDirFor(options.cacheDir, root), options, analyzer);
    const stored = await loadIndex(retriever.storeDir, root);
    if (stored && stored.analyzerId === analyzer.id) retriever.workspace.restore(stored);
    return retriever;
  }

  /** Every definition in the indexed files: by name, by container, nearest names. */
  get symbols(): SymbolTable {
    return this.workspace.symbols;
  }

  get fileCount(): number {
    return this.workspace.files.size;
  }

  get chunkCount(): number {
    return this.workspace.chunks.size;
  }

  /** Walks the workspace and re-indexes what changed since the index was last brought up to date. */
  index(onProgress?: (progress: IndexProgress) => void): Promise<IndexSummary> {
    return this.serialized(() => this.indexNow(onProgress));
  }

  /**
   * Re-indexes one file (absolute or relative to the root), or drops it if it is gone, ignored, or
   * (through a symbolic link) outside the root. A path outside the root is not read.
   */
  update(path: string): Promise<void> {
    return this.serialized(async () => {
      const relativePath = this.relativePath(path);
      const absolutePath = resolve(this.root, relativePath);
      if (!isPathInside(this.root, absolutePath)) return;
      const realPath = await realPathInside([this.realRoot], absolutePath);
      const stats = realPath === undefined ? undefined : await stat(realPath).catch(() => undefined);
      if (
        realPath === undefined ||
        !stats?.isFile() ||
        (await isWorkspacePathIgnored(this.root, relativePath, this.options))
      ) {
        this.removeFile(relativePath);
        return;
      }
      const bytes = stats.size > this.maxFileBytes ? undefined : readBytesNow(realPath);
      if ((await this.indexFile(relativePath, stats.mtimeMs, stats.size, bytes)) !== "indexed")
        this.removeFile(relativePath);
      await this.embedMissing();
    });
  }

  /** Drops one file from the index. */
  remove(path: string): Promise<void> {
    return this.serialized(() => Promise.resolve(this.removeFile(this.relativePath(path))));
  }

  /** Records an edit (0-based lines, inclusive): chunks there rank higher for a while. */
  noteEdit(path: string, range: LineRange): void {
    this.recency.noteEdit(this.relativePath(path), range);
  }

  setOpenFiles(paths: Iterable<string>): void {
    this.recency.setOpenFiles([...paths].map((path) => this.relativePath(path)));
  }

  /** The query's embedding, or undefined without an embedder. */
  async embedQuery(text: string): Promise<Float32Array | undefined> {
    if (!this.options.embedder) return undefined;
    const [vector] = await this.options.embedder.embed([text]);
    return vector;
  }

  /** The chunks most relevant to `text`, best first, within `k` and the token budget. */
  async query(text: string, options: QueryOptions = {}): Promise<RetrievedChunk[]> {
    const vector = options.vector ?? (await this.embedQuery(text));
    const from = options.from && { ...options.from, path: this.relativePath(options.from.path) };
    return rankChunks(this.workspace, this.recency, text, vector, { ...options, from });
  }

  /** Writes the index to the cache directory if it changed since it was loaded or last saved. */
  save(): Promise<void> {
    return this.serialized(() => Promise.resolve(this.saveNow()));
  }

  /** Saves pending changes; the retriever is unusable afterwards. Does not dispose the embedder. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.save();
    this.disposed = true;
  }

  /** Forgets the persisted index of this workspace (the in-memory one stays). */
  async clearCache(): Promise<void> {
    await deleteIndex(this.storeDir);
  }

  private async indexNow(onProgress?: (progress: IndexProgress) => void): Promise<IndexSummary> {
    const started = performance.now();
    const summary: IndexSummary = {
      files: 0,
      chunks: 0,
      indexed: [],
      removed: [],
      skipped: [],
      seconds: 0,
      warmUpSeconds: 0,
      analysedInWorker: 0,
    };
    const seen = new Set<string>();
    const changed: { path: string; absolutePath: string; mtimeMs: number; size: number }[] = [];
    const walk = {
      ...this.options,
      onLinkOutside: (path: string) =>
        summary.skipped.push({ path, reason: "outside the workspace" as const }),
    };
    for await (const file of walkWorkspace(this.root, walk)) {
      if (file.size > this.maxFileBytes) {
        summary.skipped.push({ path: file.path, reason: "too large" });
        continue;
      }
      seen.add(file.path);
      const known = this.workspace.files.get(file.path);
      if (!known || known.mtimeMs !== file.mtimeMs || known.size !== file.size) {
        changed.push(file);
        // Grammars load (read, compile) while the walk goes on.
        this.analyzer.prepare?.(file.path);
      }
      if (seen.size % 500 === 0) onProgress?.({ phase: "scan", done: seen.size, total: 0 });
    }
    onProgress?.({ phase: "scan", done: seen.size, total: seen.size });

    for (const path of [...this.workspace.files.keys()]) {
      if (seen.has(path)) continue;
      this.removeFile(path);
      summary.removed.push(path);
    }
    let done = 0;
    const parallel = this.parallelAnalysis(changed.reduce((bytes, file) => bytes + file.size, 0));
    const analyze = parallel ?? this.analyzer;
    // Files are analysed up to `analysesAhead` ahead (some by the worker, at the same time) and added to
    // the index in order, so the index is the same whoever analysed what.
    const analyses = new Map<number, Promise<FileAnalysis | FileOutcome>>();
    const analyseAhead = (index: number): void => {
      const file = changed[index];
      if (file === undefined || analyses.has(index)) return;
      const analysis = this.analyseFile(file.size, readBytesNow(file.absolutePath), file.path, analyze);
      // Awaited in turn below; until then a failure must not count as unhandled.
      analysis.catch(() => undefined);
      analyses.set(index, analysis);
    };
    let lastYield = performance.now();
    try {
      for (const [index, file] of changed.entries()) {
        // Reads are synchronous and an analysis may be done already: without this the loop could hold the
        // thread for the whole index, and requests (completions, chats) would wait for it.
        if (performance.now() - lastYield > yieldEveryMs) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        // The window is filled once; then each step adds the file at its far end.
        if (index === 0) for (let ahead = 0; ahead < analysesAhead; ahead++) analyseAhead(ahead);
        analyseAhead(index + analysesAhead);
        const analysis = await analyses.get(index)!;
        analyses.delete(index);
        const outcome = this.addAnalysis(file.path, file.mtimeMs, file.size, analysis);
        if (outcome === "indexed") summary.indexed.push(file.path);
        else {
          this.removeFile(file.path);
          summary.skipped.push({ path: file.path, reason: outcome });
        }
        onProgress?.({ phase: "index", done: ++done, total: changed.length, path: file.path });
      }
    } finally {
      await parallel?.dispose();
    }
    summary.analysedInWorker = parallel?.analysedInWorker ?? 0;
    await this.embedMissing(onProgress);
    if (this.dirty) {
      onProgress?.({ phase: "save", done: 0, total: 1 });
      this.saveNow();
      onProgress?.({ phase: "save", done: 1, total: 1 });
    }
    summary.files = this.workspace.files.size;
    summary.chunks = this.workspace.chunks.size;
    const indexed = performance.now();
    summary.seconds = (indexed - started) / 1000;
    warmQueries(this.workspace, this.recency);
    summary.warmUpSeconds = (performance.now() - indexed) / 1000;
    return summary;
  }

  /** Chunks one file's content (undefined: it could not be read) into the index. */
  private async indexFile(
    path: string,
    mtimeMs: number,
    size: number,
    bytes: Buffer | undefined,
  ): Promise<FileOutcome> {
    return this.addAnalysis(path, mtimeMs, size, await this.analyseFile(size, bytes, path, this.analyzer));
  }

  /** The file's chunks and definitions, or why it is not indexed. */
  private async analyseFile(
    size: number,
    bytes: Buffer | undefined,
    path: string,
    analyzer: Pick<FileAnalyzer, "analyze">,
  ): Promise<FileAnalysis | FileOutcome> {
    if (size > this.maxFileBytes) return "too large";
    if (bytes === undefined) return "unreadable";
    // As git does: a NUL byte near the start means binary.
    if (bytes.subarray(0, 8000).includes(0)) return "binary";
    return analyzer.analyze(path, bytes.toString("utf8"));
  }

  private addAnalysis(
    path: string,
    mtimeMs: number,
    size: number,
    analysis: FileAnalysis | FileOutcome,
  ): FileOutcome {
    if (typeof analysis === "string") return analysis;
    this.workspace.setFile(path, mtimeMs, size, analysis);
    this.dirty = true;
    return "indexed";
  }

  /** A worker thread to share the analysis of `bytes` bytes, where that helps and the analyzer allows. */
  private parallelAnalysis(bytes: number): ParallelAnalysis | undefined {
    if (this.options.analyzer !== undefined || this.options.analysisWorker === false) return undefined;
    return ParallelAnalysis.start(this.analyzer, this.maxChunkLines, bytes);
  }

  private get maxChunkLines(): number {
    return this.options.maxChunkLines ?? defaultMaxChunkLines;
  }

  private get maxFileBytes(): number {
    return this.options.maxFileBytes ?? defaultMaxFileBytes;
  }

  private removeFile(path: string): void {
    if (this.workspace.removeFile(path)) this.dirty = true;
  }

  private async embedMissing(onProgress?: (progress: IndexProgress) => void): Promise<void> {
    const { embedder } = this.options;
    const vectors = this.workspace.vectors;
    if (!embedder || !vectors) return;
    const missing = this.workspace.chunksWithoutVectors();
    for (let start = 0; start < missing.length; start += embedBatch) {
      const batch = missing.slice(start, start + embedBatch);
      const embedded = await embedder.embed(batch.map(({ path, chunk }) => `${path}\n${chunk.text}`));
      batch.forEach(({ chunk }, index) => vectors.set(chunk.id, embedded[index]!));
      this.dirty = true;
      onProgress?.({
        phase: "embed",
        done: Math.min(start + embedBatch, missing.length),
        total: missing.length,
      });
    }
  }

  private saveNow(): void {
    if (!this.dirty) return;
    saveIndex(this.storeDir, this.root, this.workspace.snapshot(this.analyzer.id));
    this.dirty = false;
  }

  private relativePath(path: string): string {
    const relativeToRoot = isAbsolute(path) ? relative(this.root, path) : path;
    return relativeToRoot.split(sep).join("/");
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new Error("the retriever was disposed"));
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
