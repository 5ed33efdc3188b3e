import { sep } from "node:path";
import * as vscode from "vscode";
import type { WorkspaceChange } from "../../engine/host/contract/index.js";
import { editedLines, WorkspaceChangeBatch } from "./changeBatch.js";

/** A pause in typing this long sends what changed; steady typing still sends at least this often. */
const quietMs = 300;
const atMostEveryMs = 2_000;

/** What the sync needs from the engine's side: where to send, and when a workspace has been indexed. */
export interface WorkspaceChangeSink {
  /** The root of the workspace the engine has indexed, if any. */
  readonly indexedRoot: string | undefined;
  readonly onDidIndexWorkspace: vscode.Event<string>;
  workspaceChanged(change: WorkspaceChange): Promise<void>;
}

/**
 * Keeps the engine's view of the workspace current: the text of documents as they are edited (saved
 * or not), files created, changed and deleted on disk (by the editor or anything else), documents
 * closed, and the files open in editors. Changes are batched and sent after a pause in typing.
 */
export class WorkspaceSync implements vscode.Disposable {
  private readonly batch = new WorkspaceChangeBatch();
  private readonly subscriptions: vscode.Disposable[] = [];
  private watcher: vscode.FileSystemWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firstPendingAt: number | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: WorkspaceChangeSink,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      sink.onDidIndexWorkspace((root) => this.workspaceIndexed(root)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        const path = this.pathOf(event.document.uri);
        if (path === undefined || event.contentChanges.length === 0) return;
        const document = event.document;
        this.batch.noteEdit(path, () => document.getText(), editedLines(event.contentChanges));
        this.schedule();
      }),
      vscode.workspace.onDidSaveTextDocument((document) => this.note(document.uri, "written")),
      vscode.workspace.onDidCloseTextDocument((document) => this.note(document.uri, "closed")),
      vscode.window.tabGroups.onDidChangeTabs(() => {
        if (this.sink.indexedRoot === undefined) return;
        this.batch.noteOpenFiles(this.openFiles());
        this.schedule();
      }),
    );
    if (sink.indexedRoot !== undefined) this.workspaceIndexed(sink.indexedRoot);
  }

  /** Sends what is pending now (tests and shutdown use it); resolves once the engine has it. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstPendingAt = undefined;
    const change = this.batch.take();
    if (change !== undefined) {
      this.sending = this.sending.then(() =>
        this.sink.workspaceChanged(change).catch((error: unknown) => {
          this.log.debug(`Coop could not bring the engine's index up to date: ${String(error)}`);
        }),
      );
    }
    await this.sending;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  /**
   * A workspace was (re)indexed from disk: watch its files, and hand the engine the unsaved text of
   * the documents being edited in it, which the index could not read.
   */
  private workspaceIndexed(root: string): void {
    this.watcher?.dispose();
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, "**/*"));
    this.watcher.onDidCreate((uri) => this.note(uri, "written"));
    this.watcher.onDidChange((uri) => this.note(uri, "written"));
    this.watcher.onDidDelete((uri) => this.note(uri, "deleted"));
    for (const document of vscode.workspace.textDocuments) {
      const path = this.pathOf(document.uri);
      if (path !== undefined && document.isDirty) this.batch.noteEdit(path, () => document.getText(), []);
    }
    this.batch.noteOpenFiles(this.openFiles());
    this.schedule();
  }

  private note(uri: vscode.Uri, event: "written" | "deleted" | "closed"): void {
    const path = this.pathOf(uri);
    if (path === undefined) return;
    if (event === "written") this.batch.noteWritten(path);
    else if (event === "deleted") this.batch.noteDeleted(path);
    else this.batch.noteClosed(path);
    this.schedule();
  }

  private schedule(): void {
    const now = Date.now();
    this.firstPendingAt ??= now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(quietMs, this.firstPendingAt + atMostEveryMs - now));
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  private openFiles(): string[] {
    const paths: string[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText) {
          const path = this.pathOf(tab.input.uri);
          if (path !== undefined) paths.push(path);
        }
      }
    }
    return paths;
  }

  /** The file's path when it lies in the indexed workspace; undefined for anything else. */
  private pathOf(uri: vscode.Uri): string | undefined {
    const root = this.sink.indexedRoot;
    if (root === undefined || uri.scheme !== "file") return undefined;
    const path = uri.fsPath;
    return path.startsWith(root.endsWith(sep) ? root : root + sep) ? path : undefined;
  }
}
