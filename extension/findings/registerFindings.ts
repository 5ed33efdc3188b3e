import * as vscode from "vscode";
import type { CoopConfig } from "../config.js";
import { registerAcceptedSuggestions } from "../completions/acceptedSuggestions.js";
import { FindingDiagnostics } from "./findingDiagnostics.js";
import { FindingHoverProvider } from "./findingHover.js";
import { FindingQuickFixProvider } from "./findingQuickFix.js";

/**
 * The detector's findings where the code is: accepted suggestions are logged and their flagged names
 * marked with diagnostics, hovers and quick fixes. Disposing it removes all of them.
 */
export function registerFindings(config: CoopConfig, log: vscode.LogOutputChannel): vscode.Disposable {
  const diagnostics = new FindingDiagnostics(config, log);
  return vscode.Disposable.from(
    diagnostics,
    registerAcceptedSuggestions(diagnostics, log),
    vscode.languages.registerHoverProvider({ pattern: "**" }, new FindingHoverProvider(diagnostics)),
    vscode.languages.registerCodeActionsProvider(
      { pattern: "**" },
      new FindingQuickFixProvider(diagnostics),
      FindingQuickFixProvider.metadata,
    ),
  );
}
