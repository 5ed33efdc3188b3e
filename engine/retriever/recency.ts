export interface LineRange {
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
}

export interface RecencyBoost {
  /** Multiplier on a chunk's fused score (1 = no boost). */
  factor: number;
  reasons: string[];
}

interface Edit extends LineRange {
  at: number;
}

const maxEditsPerFile = 20;

/**
 * What the user is working on: recent edits (decaying with a half-life) and open files. A chunk
 * that overlaps a recent edit is boosted most, one in an edited file less, one in an open file a little.
 */
export class RecencyTracker {
  private readonly edits = new Map<string, Edit[]>();
  private openFiles = new Set<string>();

  constructor(
    private readonly halfLifeMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  noteEdit(path: string, range: LineRange): void {
    const list = this.edits.get(path) ?? [];
    list.push({ ...range, at: this.now() });
    if (list.length > maxEditsPerFile) list.shift();
    this.edits.set(path, list);
  }

  setOpenFiles(paths: Iterable<string>): void {
    this.openFiles = new Set(paths);
  }

  forget(path: string): void {
    this.edits.delete(path);
  }

  boost(path: string, range: LineRange): RecencyBoost {
    let factor = 1;
    const reasons: string[] = [];
    const edits = this.edits.get(path);
    if (edits) {
      const now = this.now();
      let inFile = 0;
      let overlapping = 0;
      for (const edit of edits) {
        const weight = 0.5 ** ((now - edit.at) / this.halfLifeMs);
        inFile = Math.max(inFile, weight);
        if (edit.startLine <= range.endLine && edit.endLine >= range.startLine)
          overlapping = Math.max(overlapping, weight);
      }
      if (overlapping > 0.01) reasons.push("recency: edited here");
      else if (inFile > 0.01) reasons.push("recency: file edited");
      factor += 0.5 * overlapping + 0.25 * inFile;
    }
    if (this.openFiles.has(path)) {
      factor += 0.15;
      reasons.push("recency: open file");
    }
    return { factor, reasons };
  }
}
