import * as vscode from "vscode";
import type { CompletionFinding } from "./findingSpans.js";

/**
 * Whether a flagged name exists now: a language server's workspace symbols name it somewhere other
 * than the marks themselves (an accepted suggestion that declares the name does not make it exist),
 * or, for a package, the workspace has it installed. Without a language server the name stays flagged.
 */
export async function nameExistsElsewhere(
  name: string,
  kind: CompletionFinding["kind"],
  document: vscode.TextDocument,
  marks: readonly vscode.Range[],
): Promise<boolean> {
  try {
    if (kind === "lowConfidence") return false;
    if (kind === "unknownPackage") {
      const manifests = await vscode.workspace.findFiles(`**/node_modules/${name}/package.json`, null, 1);
      return manifests.length > 0;
    }
    const symbols = await vscode.commands.executeCommand<vscode.SymbolInformation[] | undefined>(
      "vscode.executeWorkspaceSymbolProvider",
      name,
    );
    return (symbols ?? []).some(
      (symbol) =>
        (symbol.name === name || symbol.name.startsWith(`${name}(`)) &&
        !(
          symbol.location.uri.toString() === document.uri.toString() &&
          marks.some((mark) => symbol.location.range.contains(mark))
        ),
    );
  } catch {
    return false;
  }
}
