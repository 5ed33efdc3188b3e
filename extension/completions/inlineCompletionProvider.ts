import * as vscode from "vscode";
import { AdaptiveDebounce } from "../../engine/completion/index.js";
import type { CoopConfig } from "../config.js";
import type { EngineConnection } from "../engine/engineConnection.js";

/** How much text around the cursor is sent; the engine trims it to the model's prompt budget. */
const prefixChars = 8000;
const suffixChars = 2000;

/** Coop's ghost text: asks the engine after the user pauses, and never lets an error reach the editor. */
export class CoopInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private readonly debounce = new AdaptiveDebounce();

  constructor(
    private readonly engine: EngineConnection,
    private readonly config: CoopConfig,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!this.config.completionsEnabled(document) || this.config.excludedLanguages(document).includes(document.languageId)) return undefined;
    const key = document.uri.toString();
    const cancelled = new AbortController();
    const subscription = token.onCancellationRequested(() => cancelled.abort());
    try {
      if (!(await this.debounce.wait(key, cancelled.signal))) return undefined;
      const offset = document.offsetAt(position);
      const text = document.getText();
      const result = await this.engine.complete(
        {
          document: key,
          path: vscode.workspace.asRelativePath(document.uri, false),
          prefix: text.slice(Math.max(0, offset - prefixChars), offset),
          suffix: text.slice(offset, offset + suffixChars),
          projectName: vscode.workspace.name ?? "workspace",
        },
        token,
      );
      if (!result || result.text === "" || token.isCancellationRequested) return undefined;
      return [new vscode.InlineCompletionItem(result.text, new vscode.Range(position, position))];
    } catch (error) {
      if (!token.isCancellationRequested && !(error instanceof Error && error.name === "AbortError")) {
        this.log.warn(`Inline completion failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    } finally {
      subscription.dispose();
    }
  }
}
