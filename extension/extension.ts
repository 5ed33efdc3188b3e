import * as vscode from "vscode";
import { ChatViewProvider } from "./chat/chatViewProvider.js";
import { CoopConfig, settingsThatReloadModels } from "./config.js";
import type { ChatViewState } from "./protocol/chatProtocol.js";

/**
 * Activation registers Coop's commands and views and nothing heavy: no model, no index, no
 * node-llama-cpp until a feature needs it.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Coop", { log: true });
  context.subscriptions.push(log);
  try {
    const config = new CoopConfig();
    const state = (): ChatViewState => ({ variant: config.variant, engine: "idle" });
    const chat = new ChatViewProvider(context.extensionUri, log, state);
    context.subscriptions.push(
      chat,
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat),
      vscode.commands.registerCommand("coop.showLog", () => log.show()),
      vscode.commands.registerCommand("coop.openChat", () => vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`)),
      vscode.commands.registerCommand("coop.toggleCompletions", async () => {
        const enabled = !config.completionsEnabled();
        await config.setCompletionsEnabled(enabled);
        void vscode.window.showInformationMessage(`Coop inline completions ${enabled ? "enabled" : "disabled"}.`);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settingsThatReloadModels.some((setting) => event.affectsConfiguration(setting))) {
          log.info("Model settings changed; the models reload on next use.");
          chat.refresh();
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

export function deactivate(): void {}
