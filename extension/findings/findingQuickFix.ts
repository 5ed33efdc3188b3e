import * as vscode from "vscode";
import type { FindingDiagnostics } from "./findingDiagnostics.js";

/** One quick fix per name the detector suggests for a flagged name: replace it with that name. */
export class FindingQuickFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly diagnostics: FindingDiagnostics) {}

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const mark of this.diagnostics.marksIn(document, range)) {
      const markRange = new vscode.Range(document.positionAt(mark.start), document.positionAt(mark.end));
      const diagnostics = context.diagnostics.filter(
        (diagnostic) => diagnostic.source === "Coop" && diagnostic.range.isEqual(markRange),
      );
      for (const [index, suggestion] of mark.finding.suggestions.entries()) {
        // A member finding marks the member: the replacement is the suggestion's last segment.
        const replacement = mark.finding.kind === "unknownMember" ? lastSegment(suggestion) : suggestion;
        if (replacement === mark.marked) continue;
        const action = new vscode.CodeAction(
          `Coop: change '${mark.marked}' to '${replacement}'`,
          vscode.CodeActionKind.QuickFix,
        );
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, markRange, replacement);
        action.diagnostics = diagnostics;
        action.isPreferred = index === 0;
        actions.push(action);
      }
    }
    return actions;
  }
}

function lastSegment(name: string): string {
  return name.split(".").pop() ?? name;
}
