import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { SourceChunk } from "./chunks.js";
import type { FileDefinition } from "./fileAnalyzer.js";
import type { LexicalSnapshot } from "./lexicalIndex.js";

/** Bump when anything stored changes meaning (chunking, tokenizer, layout): old stores are then rebuilt. */
const storeVersion = 2;

export interface IndexedChunk extends SourceChunk {
  id: number;
}

export interface IndexedFile {
  path: string;
  mtimeMs: number;
  size: number;
  chunks: IndexedChunk[];
  definitions: FileDefinition[];
}

export interface StoredVectors {
  embedderId: string;
  dimension: number;
  ids: number[];
  /** ids.length × dimension values, row by row. */
  values: Float32Array;
}

export interface StoredIndex {
  /** Identifies how files were chunked, so a different chunker re-indexes. */
  analyzerId: string;
  nextId: number;
  files: IndexedFile[];
  lexical: LexicalSnapshot;
  vectors?: StoredVectors;
}

interface Manifest {
  version: number;
  root: string;
  /**
   * Written last and shared by the other files: a crash between writes leaves a mismatch, which loads as
   * nothing.
   */
  generation: string;
  analyzerId: string;
  nextId: number;
  vectors?: { embedderId: string; dimension: number; ids: number[] };
}

/** The folder holding one workspace's index: keyed by a hash of its absolute root. */
export function storeDirFor(cacheDir: string, root: string): string {
  const key = createHash("sha256").update(resolve(root)).digest("hex").slice(0, 16);
  return join(cacheDir, "retriever", key);
}

export async function loadIndex(dir: string, root: string): Promise<StoredIndex | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
    if (manifest.version !== storeVersion || manifest.root !== resolve(root)) return undefined;
    const files = JSON.parse(await readFile(join(dir, "files.json"), "utf8")) as {
      generation: string;
      files: IndexedFile[];
    };
    const lexical = JSON.parse(await readFile(join(dir, "lexical.json"), "utf8")) as {
      generation: string;
      snapshot: LexicalSnapshot;
    };
    if (files.generation !== manifest.generation || lexical.generation !== manifest.generation)
      return undefined;
    const stored: StoredIndex = {
      analyzerId: manifest.analyzerId,
      nextId: manifest.nextId,
      files: files.files,
      lexical: lexical.snapshot,
    };
    if (manifest.vectors) {
      const bytes = await readFile(join(dir, `vectors-${manifest.generation}.bin`));
      const values = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      if (values.length === manifest.vectors.ids.length * manifest.vectors.dimension)
        stored.vectors = { ...manifest.vectors, values };
    }
    return stored;
  } catch {
    return undefined; // absent or damaged: the caller indexes from scratch
  }
}

/**
 * Writes the index, each file atomically and the manifest last. Synchronous: the writes go to the page
 * cache in about the time their promises cost (a few ms on a few hundred files), and the index's JSON is
 * made on this thread either way. So two retrievers of one workspace in this process never interleave
 * their generations.
 */
export function saveIndex(dir: string, root: string, index: StoredIndex): void {
  mkdirSync(dir, { recursive: true });
  const previous = readManifest(dir);
  const generation = randomUUID();
  writeAtomically(join(dir, "files.json"), JSON.stringify({ generation, files: index.files }));
  writeAtomically(join(dir, "lexical.json"), JSON.stringify({ generation, snapshot: index.lexical }));
  const manifest: Manifest = {
    version: storeVersion,
    root: resolve(root),
    generation,
    analyzerId: index.analyzerId,
    nextId: index.nextId,
  };
  if (index.vectors) {
    const { embedderId, dimension, ids, values } = index.vectors;
    writeAtomically(
      join(dir, `vectors-${generation}.bin`),
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
    manifest.vectors = { embedderId, dimension, ids };
  }
  writeAtomically(join(dir, "manifest.json"), JSON.stringify(manifest));
  if (previous?.vectors) rmSync(join(dir, `vectors-${previous.generation}.bin`), { force: true });
}

export async function deleteIndex(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  // Unique per write: another process (a second window's engine) may be writing the same file.
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}
