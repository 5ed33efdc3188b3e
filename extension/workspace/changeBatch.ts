import type { WorkspaceChange } from "../../engine/host/contract/index.js";
import { inputLimits } from "../../engine/host/contract/index.js";

export interface LineRange {
  startLine: number;
  endLine: number;
}

/** One content change as the editor reports it: the range it replaced and the text put there. */
export interface ContentChange {
  range: { start: { line: number } };
  text: string;
}

/** The lines a set of content changes touched in the new text (0-based, inclusive). */
export function editedLines(changes: readonly ContentChange[]): LineRange[] {
  return changes.map((change) => {
    const startLine = change.range.start.line;
    let newlines = 0;
    for (let at = change.text.indexOf("\n"); at !== -1; at = change.text.indexOf("\n", at + 1)) newlines++;
    return { startLine, endLine: startLine + newlines };
  });
}

type FileEvent = "written" | "deleted" | "closed";

/**
 * What happened in the editor since the last report, folded so only the latest state of each path
 * goes to the engine: a document edited then closed is only closed, a file deleted then written again
 * is written, an edited document's text is read when the batch is taken (its newest).
 */
export class WorkspaceChangeBatch {
  private readonly edited = new Map<string, { text: () => string; lines: LineRange[] }>();
  private readonly files = new Map<string, FileEvent>();
  private openFiles: string[] | undefined;

  get isEmpty(): boolean {
    return this.edited.size === 0 && this.files.size === 0 && this.openFiles === undefined;
  }

  noteEdit(path: string, text: () => string, lines: readonly LineRange[]): void {
    const entry = this.edited.get(path);
    if (entry) {
      entry.text = text;
      entry.lines.push(...lines);
    } else {
      this.edited.set(path, { text, lines: [...lines] });
    }
    if (this.files.get(path) === "closed") this.files.delete(path);
  }

  noteWritten(path: string): void {
    this.files.set(path, "written");
  }

  noteDeleted(path: string): void {
    this.edited.delete(path);
    this.files.set(path, "deleted");
  }

  noteClosed(path: string): void {
    this.edited.delete(path);
    if (this.files.get(path) !== "deleted") this.files.set(path, "closed");
  }

  noteOpenFiles(paths: readonly string[]): void {
    this.openFiles = [...new Set(paths)];
  }

  /**
   * The change to send, and the batch emptied; undefined when nothing happened. Documents longer than
   * the engine takes are left to their files on disk.
   */
  take(): WorkspaceChange | undefined {
    if (this.isEmpty) return undefined;
    const change: WorkspaceChange = {};
    const edited = [...this.edited]
      .map(([path, entry]) => ({ path, text: entry.text(), editedLines: mergedRanges(entry.lines) }))
      .filter((document) => document.text.length <= inputLimits.documentChars);
    if (edited.length > 0) change.edited = edited;
    for (const event of ["written", "deleted", "closed"] as const) {
      const paths = [...this.files].filter(([, happened]) => happened === event).map(([path]) => path);
      if (paths.length > 0) change[event] = paths;
    }
    if (this.openFiles !== undefined) change.openFiles = this.openFiles;
    this.edited.clear();
    this.files.clear();
    this.openFiles = undefined;
    return change;
  }
}

/** Ranges sorted and merged where they overlap or touch, so a burst of typing on one line is one range. */
function mergedRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = [...ranges].sort((a, b) => a.startLine - b.startLine);
  const merged: LineRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.startLine <= last.endLine + 1) last.endLine = Math.max(last.endLine, range.endLine);
    else merged.push({ ...range });
  }
  return merged;
}
