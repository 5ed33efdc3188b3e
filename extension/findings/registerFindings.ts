import * as vscode from "vscode";
import type { FindingDiagnostics } from "./findingDiagnostics.js";
import { FindingHoverProvider } from "./findingHover.js";
import { FindingQuickFixProvider } from "./findingQuickFix.js";

/**
 * The detector's findings where the code is: the flagged names of accepted suggestions (which
 * `diagnostics` holds) get hovers and quick fixes. Disposing it removes them and the diagnostics.
 */
export function registerFindings(diagnostics: FindingDiagnostics): vscode.Disposable {
  return vscode.Disposable.from(
    diagnostics,
    vscode.languages.registerHoverProvider({ pattern: "**" }, new FindingHoverProvider(diagnostics)),
    vscode.languages.registerCodeActionsProvider(
      { pattern: "**" },
      new FindingQuickFixProvider(diagnostics),
      FindingQuickFixProvider.metadata,
    ),
  );
}
