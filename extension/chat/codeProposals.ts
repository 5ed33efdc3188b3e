import * as vscode from "vscode";

const scheme = "coop-proposal";

interface Proposal {
  target: vscode.Uri;
  /** The target's version the proposal was computed from: applying to a changed file is refused. */
  version: number;
  range: vscode.Range;
  code: string;
  content: string;
}

/**
 * Code from the chat, put where the user works: inserted at the cursor, or shown as a diff of the
 * file with the code in place of the selection, applied from the diff editor's title bar
 * (Coop: Apply Proposal) once the user has looked at it.
 */
export class CodeProposals implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registrations: vscode.Disposable[];
  private next = 0;

  constructor(private readonly lastEditor: () => vscode.TextEditor | undefined) {
    this.registrations = [
      vscode.workspace.registerTextDocumentContentProvider(scheme, this),
      vscode.commands.registerCommand("coop.applyProposal", (uri?: vscode.Uri) =>
        this.apply(uri ?? vscode.window.activeTextEditor?.document.uri),
      ),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString())?.content ?? "";
  }

  async insertAtCursor(code: string): Promise<void> {
    const editor = this.requireEditor("insert the code");
    if (!editor) return;
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    const inserted = await editor.edit((edit) => {
      for (const selection of editor.selections) edit.replace(selection, code);
    });
    if (!inserted)
      void vscode.window.showWarningMessage(
        "Coop could not insert the code: the editor refused the edit (is it read-only?).",
      );
  }

  async copy(code: string): Promise<void> {
    await vscode.env.clipboard.writeText(code);
    void vscode.window.setStatusBarMessage("$(check) Coop: code copied", 3000);
  }

  /** Opens a diff of the file as it is and with the code in place of the selection (or at the cursor). */
  async preview(code: string): Promise<void> {
    const editor = this.requireEditor("apply the code");
    if (!editor) return;
    const document = editor.document;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const text = document.getText();
    const content =
      text.slice(0, document.offsetAt(range.start)) + code + text.slice(document.offsetAt(range.end));
    const name = document.uri.path.split("/").pop() ?? "file";
    const uri = vscode.Uri.from({ scheme, path: `/${name}`, query: String(this.next++) });
    this.proposals.set(uri.toString(), {
      target: document.uri,
      version: document.version,
      range,
      code,
      content,
    });
    this.changed.fire(uri);
    await vscode.commands.executeCommand("vscode.diff", document.uri, uri, `${name} ↔ Coop's proposal`, {
      preview: true,
    });
  }

  async apply(uri: vscode.Uri | undefined): Promise<void> {
    const proposal = uri && this.proposals.get(uri.toString());
    if (!proposal) {
      void vscode.window.showWarningMessage(
        "Coop: there is no proposal here to apply. Use Apply on a code block in the chat first.",
      );
      return;
    }
    const document = await vscode.workspace.openTextDocument(proposal.target);
    if (document.version !== proposal.version) {
      void vscode.window.showWarningMessage(
        `Coop did not apply the proposal: ${vscode.workspace.asRelativePath(proposal.target)} changed since. Use Apply on the code block again.`,
      );
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(proposal.target, proposal.range, proposal.code);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showWarningMessage(
        "Coop could not apply the proposal: the editor refused the edit.",
      );
      return;
    }
    this.proposals.delete(uri.toString());
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(
        proposal.range.start,
        document.positionAt(document.offsetAt(proposal.range.start) + proposal.code.length),
      ),
    });
  }

  dispose(): void {
    for (const registration of this.registrations) registration.dispose();
    this.changed.dispose();
    this.proposals.clear();
  }

  private requireEditor(what: string): vscode.TextEditor | undefined {
    const editor = this.lastEditor();
    if (!editor)
      void vscode.window.showInformationMessage(
        `Open a file to ${what} in; Coop uses the editor you last worked in.`,
      );
    return editor;
  }
}
