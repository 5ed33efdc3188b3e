import * as vscode from "vscode";
import { Debounce } from "../../engine/completion/index.js";
import { describeError, isCancellation } from "../../engine/errors/index.js";
import {
  type CompletionCheck,
  type EngineCompletion,
  type EngineCompletionRequest,
  editorWindow,
  keepEnd,
  keepStart,
} from "../../engine/host/contract/index.js";
// The leaf module: engine/syntax/index.js would bring web-tree-sitter into the extension host.
import { languageForVsCodeId } from "../../engine/syntax/languages.js";
import type { DetectorPolicy } from "../../engine/detector/index.js";
import type { CoopConfig } from "../settings/config.js";
import { withLanguageServerOpinion } from "./languageServerCheck.js";
import { describeFindings } from "./explainSuggestion.js";
import { suggestionItems } from "./acceptedSuggestions.js";
import { OfferedCandidates, completionCandidates } from "./completionCandidates.js";
import type { EngineConnection } from "../engine/engineConnection.js";
import type { EnsembleActivity } from "./ensembleActivity.js";
import type { CompletionSnooze } from "./completionSnooze.js";
import {
  CompletionClock,
  type CompletionOutcome,
  completionTimingsLine,
} from "../engine/completionTimings.js";
import { InstantAnswers } from "./instantAnswers.js";

/** The last suggestion shown, and what the detector said of it. */
export interface LastSuggestion {
  text: string;
  document: string;
  check?: CompletionCheck;
}

/**
 * Coop's ghost text: asks the engine once the document has rested a short pause after its last
 * keystroke (at once when the engine answers from its cache or by typing through), cancels the request
 * on the next keystroke (the editor cancels the token), logs where each completion's time went at
 * debug level, and never lets an error reach the editor.
 */
export class CoopInlineCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private readonly debounce = new Debounce();
  private readonly instant = new InstantAnswers();
  private readonly offered = new OfferedCandidates();
  private last: LastSuggestion | undefined;
  // The pause runs from the keystroke: the document's changes reach the extension host as they happen.
  private readonly watches = [
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) this.debounce.changed(event.document.uri.toString());
    }),
    vscode.workspace.onDidCloseTextDocument((document) => this.debounce.forget(document.uri.toString())),
  ];

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

  dispose(): void {
    for (const watch of this.watches) watch.dispose();
  }

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
    const clock = new CompletionClock();
    const key = document.uri.toString();
    const cancelled = new AbortController();
    const subscription = token.onCancellationRequested(() => cancelled.abort());
    try {
      const offset = document.offsetAt(position);
      const policy = this.config.detectorPolicy(document);
      const request = this.requestAt(document, position, offset, policy);
      const variant = this.config.variant;
      clock.lap("prepare");
      const instant = this.instant.answersAtOnce(variant, request);
      if (!(await this.debounce.wait(key, cancelled.signal, instant))) return undefined;
      clock.lap("debounce");
      const result = await this.engine.complete(request, token, clock);
      if (!result) return undefined;
      this.instant.remember(variant, request, result);
      this.ensembleActivity.report(result.ensemble);
      const answer = await this.itemsFor(result, document, position, offset, policy, token, clock);
      if (this.log.logLevel === vscode.LogLevel.Debug || this.log.logLevel === vscode.LogLevel.Trace)
        this.log.debug(completionTimingsLine(clock.read(result), result.source, answer.outcome));
      return answer.items;
    } catch (error) {
      if (!token.isCancellationRequested && !isCancellation(error)) {
        this.log.warn(`Inline completion failed: ${describeError(error)}`);
      }
      return undefined;
    } finally {
      subscription.dispose();
    }
  }

  /** The request for the cursor: the window around it the engine's input limits are set for. */
  private requestAt(
    document: vscode.TextDocument,
    position: vscode.Position,
    offset: number,
    policy: DetectorPolicy,
  ): EngineCompletionRequest {
    const text = document.getText();
    const language = languageForVsCodeId(document.languageId);
    const bestOfN = this.config.bestOfN(document);
    return {
      document: document.uri.toString(),
      path: vscode.workspace.asRelativePath(document.uri, false),
      // The window around the cursor the engine's input limits are set for; it fits the prompt's budget.
      prefix: keepEnd(text.slice(0, offset), editorWindow.prefixChars),
      suffix: keepStart(text.slice(offset), editorWindow.suffixChars),
      projectName: vscode.workspace.name ?? "workspace",
      cursorLine: position.line,
      check:
        language && policy !== "off"
          ? { language, policy, compilerBudgetMs: this.config.compilerBudgetMs(document) }
          : undefined,
      ensemble: this.config.ensemble(document),
      ...(bestOfN ? { bestOfN } : {}),
    };
  }

  /** The engine's answer as ghost text, after the language servers' opinion of its findings. */
  private async itemsFor(
    result: EngineCompletion,
    document: vscode.TextDocument,
    position: vscode.Position,
    offset: number,
    policy: DetectorPolicy,
    token: vscode.CancellationToken,
    clock: CompletionClock,
  ): Promise<{ items?: vscode.InlineCompletionItem[]; outcome: CompletionOutcome }> {
    if (token.isCancellationRequested) return { outcome: "cancelled" };
    if (result.text === "") return { outcome: "empty" };
    const key = document.uri.toString();
    const check = result.check && (await withLanguageServerOpinion(result.check, document, offset, this.log));
    clock.lap("languageServer");
    if (isCancelled(token)) return { outcome: "cancelled" };
    this.last = { text: result.text, document: key, check };
    if (check?.action === "hide") {
      this.log.info(`Hid a suggestion that uses ${describeFindings(check)}.`);
      return { outcome: "hidden" };
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
    return { items: suggestionItems(document, position, candidates), outcome: "shown" };
  }
}

/** Read through a call: the flag changes while a request awaits, which narrowing does not see. */
function isCancelled(token: vscode.CancellationToken): boolean {
  return token.isCancellationRequested;
}
