import * as vscode from "vscode";

/**
 * The text editor the user last worked in. When they click in the chat view the active editor
 * becomes undefined, yet "insert at cursor" and "attach selection" mean that editor.
 */
export class LastTextEditor implements vscode.Disposable {
  private last: vscode.TextEditor | undefined;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.remember(vscode.window.activeTextEditor);
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => this.remember(editor));
  }

  get editor(): vscode.TextEditor | undefined {
    if (this.last && !vscode.window.visibleTextEditors.includes(this.last)) {
      // The tab was closed or replaced: prefer a visible editor on the same document.
      const document = this.last.document;
      this.last =
        vscode.window.visibleTextEditors.find(
          (editor) => editor.document === document && isUserFile(editor.document),
        ) ?? (document.isClosed ? undefined : this.last);
    }
    return this.last;
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private remember(editor: vscode.TextEditor | undefined): void {
    if (editor && isUserFile(editor.document)) this.last = editor;
  }
}

/** Files and untitled documents, not output channels, diffs of proposals or other virtual documents. */
function isUserFile(document: vscode.TextDocument): boolean {
  return document.uri.scheme === "file" || document.uri.scheme === "untitled";
}
