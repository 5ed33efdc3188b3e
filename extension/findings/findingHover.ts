import * as vscode from "vscode";
import { describeKind, type FindingDiagnostics } from "./findingDiagnostics.js";

/** Over a name Coop flagged: what the detector found, on what evidence, and what exists nearby. */
export class FindingHoverProvider implements vscode.HoverProvider {
  constructor(private readonly diagnostics: FindingDiagnostics) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const mark = this.diagnostics.markAt(document, position);
    if (!mark) return undefined;
    const { finding } = mark;
    const text = new vscode.MarkdownString();
    text.appendMarkdown(`**Coop's detector: ${describeKind(finding.kind)}** \`${finding.name}\`\n\n`);
    text.appendText(`Evidence: ${finding.evidence}`);
    if (finding.suggestions.length > 0) {
      text.appendMarkdown(
        `\n\nDid you mean ${finding.suggestions.map((name) => `\`${name}\``).join(", ")}? ` +
          "(Quick Fix offers each.)",
      );
    }
    return new vscode.Hover(
      text,
      new vscode.Range(document.positionAt(mark.start), document.positionAt(mark.end)),
    );
  }
}
