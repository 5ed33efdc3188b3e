import type { FileDefinition, SymbolKind } from "./fileAnalyzer.js";

/** A definition in the workspace: what it is, where it lives (lines and columns 0-based). */
export interface WorkspaceSymbol extends FileDefinition {
  path: string;
}

export interface NearestName {
  name: string;
  /** Edit distance (insertions, deletions, substitutions, adjacent swaps), ignoring case. */
  distance: number;
  symbols: WorkspaceSymbol[];
}

/**
 * The definitions of every indexed file, by file, by name and by container. Rebuilt one file at a
 * time: replacing a file's definitions touches only that file's entries.
 */
export class SymbolTable {
  private readonly perFile = new Map<string, WorkspaceSymbol[]>();
  private readonly perName = new Map<string, WorkspaceSymbol[]>();
  private readonly perContainer = new Map<string, WorkspaceSymbol[]>();

  get size(): number {
    let count = 0;
    for (const symbols of this.perFile.values()) count += symbols.length;
    return count;
  }

  /** Every distinct defined name. */
  names(): IterableIterator<string> {
    return this.perName.keys();
  }

  setFile(path: string, definitions: readonly FileDefinition[]): void {
    this.removeFile(path);
    if (definitions.length === 0) return;
    const symbols = definitions.map((definition) => ({ ...definition, path }));
    this.perFile.set(path, symbols);
    for (const symbol of symbols) {
      append(this.perName, symbol.name, symbol);
      if (symbol.container !== undefined) append(this.perContainer, symbol.container, symbol);
    }
  }

  removeFile(path: string): void {
    const symbols = this.perFile.get(path);
    if (!symbols) return;
    this.perFile.delete(path);
    for (const symbol of symbols) {
      detach(this.perName, symbol.name, symbol);
      if (symbol.container !== undefined) detach(this.perContainer, symbol.container, symbol);
    }
  }

  /** Definitions with exactly this name, optionally of these kinds. */
  byName(name: string, kinds?: readonly SymbolKind[]): WorkspaceSymbol[] {
    const found = this.perName.get(name) ?? [];
    return kinds ? found.filter((symbol) => kinds.includes(symbol.kind)) : [...found];
  }

  has(name: string): boolean {
    return this.perName.has(name);
  }

  /** Members (methods, properties, nested definitions) whose container is this name. */
  membersOf(container: string): WorkspaceSymbol[] {
    return [...(this.perContainer.get(container) ?? [])];
  }

  inFile(path: string): WorkspaceSymbol[] {
    return [...(this.perFile.get(path) ?? [])];
  }

  files(): IterableIterator<string> {
    return this.perFile.keys();
  }

  /**
   * The defined names closest to `name` (case-insensitive edit distance), best first. Names within
   * a third of the length (at least 2 edits) qualify; `among` narrows the candidates, e.g. to the
   * members of one container.
   */
  nearest(
    name: string,
    options: { limit?: number; maxDistance?: number; among?: Iterable<string> } = {},
  ): NearestName[] {
    const limit = options.limit ?? 5;
    const maxDistance = options.maxDistance ?? Math.max(2, Math.floor(name.length / 3));
    const wanted = name.toLowerCase();
    const found: NearestName[] = [];
    for (const candidate of options.among ?? this.perName.keys()) {
      if (candidate === name || Math.abs(candidate.length - name.length) > maxDistance) continue;
      const distance = boundedEditDistance(wanted, candidate.toLowerCase(), maxDistance);
      if (distance <= maxDistance) found.push({ name: candidate, distance, symbols: this.byName(candidate) });
    }
    found.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
    return found.slice(0, limit);
  }
}

function append(map: Map<string, WorkspaceSymbol[]>, key: string, symbol: WorkspaceSymbol): void {
  const list = map.get(key);
  if (list) list.push(symbol);
  else map.set(key, [symbol]);
}

function detach(map: Map<string, WorkspaceSymbol[]>, key: string, symbol: WorkspaceSymbol): void {
  const list = map.get(key);
  if (!list) return;
  const kept = list.filter((entry) => entry !== symbol);
  if (kept.length === 0) map.delete(key);
  else map.set(key, kept);
}

/**
 * Optimal string alignment distance between a and b, or `bound + 1` as soon as it must exceed
 * `bound` (every row's minimum only grows, so the scan stops early on hopeless candidates).
 */
export function boundedEditDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let previousPrevious = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMinimum = current[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, previousPrevious[j - 2]! + 1);
      current[j] = value;
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum > bound) return bound + 1;
    [previousPrevious, previous, current] = [previous, current, previousPrevious];
  }
  return Math.min(previous[b.length]!, bound + 1);
}
