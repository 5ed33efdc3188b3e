import { readFile, stat } from "node:fs/promises";
import type { IndexedWorkspace, WorkspaceFile } from "../detector/index.js";
import type { WorkspaceChange } from "../host/contract/engineApi.js";
import type { Retriever } from "../retriever/index.js";
import { realPathInside, realRootSync } from "../workspace/index.js";
import { checkWorkspaceChange } from "./workspaceChange.js";

/** Told of each document whose text now counts: the editor's, or (undefined) the file's on disk. */
export type DocumentListener = (path: string, text: string | undefined) => void;

export interface EditorSyncOptions {
  root: string;
  retriever: Retriever;
  detectorWorkspace: IndexedWorkspace;
  /** Files larger than this are not read into the detector's index. */
  maxFileBytes: number;
}

/**
 * Keeps one workspace's cooperators in step with the editor: files written or deleted on disk are
 * re-indexed or dropped, the text of documents being edited (saved or not) replaces their files' in the
 * detector's index, and edits and open files steer the retriever's ranking. Changes apply one after
 * another, in the order they arrive.
 */
export class EditorSync {
  /** Documents the editor holds with text of its own, by absolute path. */
  private readonly editorTexts = new Map<string, string>();
  private readonly listeners = new Set<DocumentListener>();
  private readonly realRoot: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EditorSyncOptions) {
    this.realRoot = realRootSync(options.root);
  }

  /** The editor's text of a document being edited, if it has one. */
  editorText(path: string): string | undefined {
    return this.editorTexts.get(path);
  }

  onDocument(listener: DocumentListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Applies a change; resolves with how many paths were applied and what was ignored, and why. */
  apply(raw: WorkspaceChange): Promise<{ applied: number; ignored: string[] }> {
    const applied = this.queue.then(() => this.applyNow(raw));
    this.queue = applied.catch(() => undefined);
    return applied;
  }

  private async applyNow(raw: WorkspaceChange): Promise<{ applied: number; ignored: string[] }> {
    const { change, ignored } = checkWorkspaceChange(raw, this.options.root);
    const { retriever, detectorWorkspace } = this.options;
    const detectorFiles: WorkspaceFile[] = [];
    let applied = 0;

    for (const path of change.deleted) {
      this.editorTexts.delete(path);
      await retriever.remove(path);
      detectorWorkspace.removeFile(path);
      this.tell(path, undefined);
      applied++;
    }
    for (const path of change.written) {
      await retriever.update(path);
      // The editor's unsaved text, when there is some, is what the user sees; the disk's waits.
      if (!this.editorTexts.has(path)) {
        const text = await this.readInside(path);
        if (text === undefined) detectorWorkspace.removeFile(path);
        else detectorFiles.push({ path, text });
        this.tell(path, undefined);
      }
      applied++;
    }
    for (const path of change.closed) {
      if (this.editorTexts.delete(path)) {
        const text = await this.readInside(path);
        if (text === undefined) detectorWorkspace.removeFile(path);
        else detectorFiles.push({ path, text });
        this.tell(path, undefined);
      }
      applied++;
    }
    for (const document of change.edited) {
      this.editorTexts.set(document.path, document.text);
      if (Buffer.byteLength(document.text) <= this.options.maxFileBytes)
        detectorFiles.push({ path: document.path, text: document.text });
      for (const lines of document.editedLines) retriever.noteEdit(document.path, lines);
      this.tell(document.path, document.text);
      applied++;
    }
    if (change.openFiles !== undefined) retriever.setOpenFiles(change.openFiles);
    if (detectorFiles.length > 0) await detectorWorkspace.updateFiles(detectorFiles);
    return { applied, ignored };
  }

  /** A file's text when it is a text file inside the workspace (links out of it are not followed). */
  private async readInside(path: string): Promise<string | undefined> {
    const real = await realPathInside([this.realRoot], path);
    if (real === undefined) return undefined;
    const stats = await stat(real).catch(() => undefined);
    if (!stats?.isFile() || stats.size > this.options.maxFileBytes) return undefined;
    const text = await readFile(real, "utf8").catch(() => undefined);
    return text === undefined || text.includes("\0") ? undefined : text;
  }

  private tell(path: string, text: string | undefined): void {
    for (const listener of this.listeners) listener(path, text);
  }
}
