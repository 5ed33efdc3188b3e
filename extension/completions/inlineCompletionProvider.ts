import * as vscode from "vscode";
import { AdaptiveDebounce } from "../../engine/completion/index.js";
import { isCancellation } from "../../engine/errors/index.js";
import { type CompletionCheck, editorWindow, keepEnd, keepStart } from "../../engine/host/contract/index.js";
// The leaf module: engine/syntax/index.js would bring web-tree-sitter into the extension host.
import { languageForVsCodeId } from "../../engine/syntax/languages.js";
import type { CoopConfig } from "../settings/config.js";
import { withLanguageServerOpinion } from "./languageServerCheck.js";
import { suggestionItems } from "./acceptedSuggestions.js";
import { OfferedCandidates, completionCandidates } from "./completionCandidates.js";
import type { EngineConnection } from "../engine/engineConnection.js";
import type { EnsembleActivity } from "./ensembleActivity.js";
import type { CompletionSnooze } from "./completionSnooze.js";

/** Coop's ghost text: asks the engine after the user pauses, and never lets an error reach the editor. */
export interface LastSuggestion {
  text: string;
  document: string;
  check?: CompletionCheck;
}

export class CoopInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private readonly debounce = new AdaptiveDebounce();
  private readonly offered = new OfferedCandidates();
  private last: LastSuggestion | undefined;

  /** The last suggestion and what the detector said of it (for Coop: Explain Last Suggestion). */
  get lastSuggestion(): LastSuggestion | undefined {
    return this.last;
  }

  constructor(
    private readonly engine: EngineConnection,
    private readonly config: CoopConfig,
    private readonly log: vscode.LogOutputChannel,
    private readonly ensembleActivity: EnsembleActivity,
    private readonly snooze: CompletionSnooze,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (
      this.snooze.active ||
      !this.config.completionsEnabled(document) ||
      this.config.excludedLanguages(document).includes(document.languageId)
    )
      return undefined;
    const key = document.uri.toString();
    const cancelled = new AbortController();
    const subscription = token.onCancellationRequested(() => cancelled.abort());
    try {
      if (!(await this.debounce.wait(key, cancelled.signal))) return undefined;
      const offset = document.offsetAt(position);
      const text = document.getText();
      const language = languageForVsCodeId(document.languageId);
      const policy = this.config.detectorPolicy(document);
      const bestOfN = this.config.bestOfN(document);
      const result = await this.engine.complete(
        {
          document: key,
          path: vscode.workspace.asRelativePath(document.uri, false),
          // The window around the cursor the engine's input limits are set for; it fits the prompt's budget.
          prefix: keepEnd(text.slice(0, offset), editorWindow.prefixChars),
          suffix: keepStart(text.slice(offset), editorWindow.suffixChars),
          projectName: vscode.workspace.name ?? "workspace",
          cursorLine: position.line,
          check: language && policy !== "off" ? { language, policy } : undefined,
          ensemble: this.config.ensemble(document),
          ...(bestOfN ? { bestOfN } : {}),
        },
        token,
      );
      if (result) this.ensembleActivity.report(result.ensemble);
      if (!result || result.text === "" || token.isCancellationRequested) return undefined;
      const check =
        result.check && (await withLanguageServerOpinion(result.check, document, offset, this.log));
      if (isCancelled(token)) return undefined;
      this.last = { text: result.text, document: key, check };
      if (check?.action === "hide") {
        this.log.info(`Hid a suggestion that uses ${describeFindings(check)}.`);
        return undefined;
      }
      if (check?.action === "annotate") {
        vscode.window.setStatusBarMessage(
          `$(warning) Coop: the suggestion uses ${describeFindings(check)}`,
          8000,
        );
      }
      // The answer first, then the pipeline's other candidates: next/previous suggestion cycles through them.
      const candidates = this.offered.offer(
        `${key}@${document.version}:${offset}`,
        completionCandidates(result, check, policy),
      );
      return suggestionItems(document, position, candidates);
    } catch (error) {
      if (!token.isCancellationRequested && !isCancellation(error)) {
        this.log.warn(`Inline completion failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    } finally {
      subscription.dispose();
    }
  }
}

/** "computeTotals (unknown symbol; did you mean computeTotal?)", for the status bar and the log. */
export function describeFindings(check: CompletionCheck): string {
  return check.findings
    .map(
      (finding) =>
        `${finding.name} (${finding.kind.replace(/([A-Z])/g, " $1").toLowerCase()}${finding.suggestions.length > 0 ? `; did you mean ${finding.suggestions.slice(0, 2).join(" or ")}?` : ""})`,
    )
    .join(", ");
}

/** Read through a call: the flag changes while a request awaits, which narrowing does not see. */
function isCancelled(token: vscode.CancellationToken): boolean {
  return token.isCancellationRequested;
}
