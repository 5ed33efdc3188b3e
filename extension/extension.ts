import * as vscode from "vscode";
import { ChatViewProvider } from "./chat/chatViewProvider.js";
import { CoopInlineCompletionProvider, describeFindings } from "./completions/inlineCompletionProvider.js";
import { CoopConfig, settingsThatReloadModels } from "./config.js";
import { EngineConnection } from "./engine/engineConnection.js";
import type { ChatViewState } from "./protocol/chatProtocol.js";
import { downloadModels } from "./commands/downloadModels.js";
import { swapVariant } from "./commands/swapVariant.js";
import { CoopStatusBar } from "./status/statusBar.js";

let engine: EngineConnection | undefined;

/**
 * Activation registers Coop's commands, views and providers and nothing heavy: the engine process
 * starts, and the variant loads, on the first completion.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Coop", { log: true });
  context.subscriptions.push(log);
  try {
    const config = new CoopConfig();
    engine = new EngineConnection(context, config, log);
    const connection = engine;
    const chatState = (): ChatViewState => {
      const status = connection.current;
      return {
        variant: status.variant,
        engine: status.error ? "error" : status.loading ? "loading" : status.host === "running" ? "ready" : "idle",
        detail: status.error,
      };
    };
    const chat = new ChatViewProvider(context.extensionUri, log, chatState);
    const completions = new CoopInlineCompletionProvider(connection, config, log);
    context.subscriptions.push(
      chat,
      new CoopStatusBar(connection),
      connection.onDidChangeStatus(() => chat.refresh()),
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat),
      vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, completions),
      vscode.commands.registerCommand("coop.explainLastSuggestion", () => {
        const last = completions.lastSuggestion;
        if (!last) return vscode.window.showInformationMessage("Coop has not made a suggestion yet.");
        if (!last.check || last.check.findings.length === 0) {
          return vscode.window.showInformationMessage(`Coop's last suggestion uses only names that exist: ${last.text.slice(0, 80)}`);
        }
        const verdict = last.check.repaired ? "was repaired: it used" : last.check.action === "hide" ? "was hidden: it uses" : "uses";
        return vscode.window.showWarningMessage(`Coop's last suggestion ${verdict} ${describeFindings(last.check)}.`);
      }),
      vscode.commands.registerCommand("coop.showLog", () => log.show()),
      vscode.commands.registerCommand("coop.swapVariant", () => swapVariant(config, connection, log)),
      vscode.commands.registerCommand("coop.downloadModels", () => downloadModels(connection, log)),
      vscode.commands.registerCommand("coop.openChat", () => vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`)),
      vscode.commands.registerCommand("coop.toggleCompletions", async () => {
        const enabled = !config.completionsEnabled();
        await config.setCompletionsEnabled(enabled);
        void vscode.window.showInformationMessage(`Coop inline completions ${enabled ? "enabled" : "disabled"}.`);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settingsThatReloadModels.some((setting) => event.affectsConfiguration(setting))) {
          log.info("Model settings changed; the variant reloads on next use.");
          connection.reload();
        }
      }),
    );
    log.info(`Coop activated (variant ${config.variant}).`);
  } catch (error) {
    log.error(error instanceof Error ? error : String(error));
    void vscode.window.showErrorMessage(`Coop failed to start: ${String(error)}`, "Show Log").then((choice) => {
      if (choice === "Show Log") log.show();
    });
  }
}

/** Waits for the engine process to unload its models and exit. */
export async function deactivate(): Promise<void> {
  await engine?.dispose();
  engine = undefined;
}
