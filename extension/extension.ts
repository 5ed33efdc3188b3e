import * as vscode from "vscode";
import { ChatViewProvider } from "./chat/chatViewProvider.js";
import { LastTextEditor } from "./chat/lastTextEditor.js";
import { CoopInlineCompletionProvider } from "./completions/inlineCompletionProvider.js";
import { explainSuggestion } from "./completions/explainSuggestion.js";
import { CoopConfig, settingsThatReloadModels } from "./settings/config.js";
import { EngineConnection, type EngineStatus } from "./engine/engineConnection.js";
import { downloadModels } from "./commands/downloadModels.js";
import { swapVariant } from "./commands/swapVariant.js";
import { CoopStatusBar } from "./status/statusBar.js";
import { EnsembleActivity } from "./completions/ensembleActivity.js";
import { noticeRestrictedSettings } from "./trust/restrictedSettingsNotice.js";
import { noticeLoadFailures } from "./engine/loadFailureNotice.js";
import { RemoteApiKeys, setRemoteApiKey } from "./remote/remoteApiKey.js";
import { registerFindings } from "./findings/registerFindings.js";
import { FindingDiagnostics } from "./findings/findingDiagnostics.js";
import { registerAcceptedSuggestions } from "./completions/acceptedSuggestions.js";
import { CompletionSnooze } from "./completions/completionSnooze.js";
import { showStatusMenu } from "./status/statusMenu.js";
import { WorkspaceSync } from "./workspace/workspaceSync.js";
import { registerWalkthroughCommands } from "./walkthrough/walkthroughCommands.js";
import { trackWalkthroughProgress } from "./walkthrough/walkthroughProgress.js";
import { describeError } from "../engine/errors/index.js";

let engine: EngineConnection | undefined;

/** What activate() returns: for other extensions and for Coop's own extension-host tests. */
export interface CoopExtensionApi {
  readonly completions: vscode.InlineCompletionItemProvider;
  engineStatus(): EngineStatus;
}

/**
 * Activation registers Coop's commands, views and providers and nothing heavy: the engine process
 * starts, and the variant loads, on the first completion.
 */
export function activate(context: vscode.ExtensionContext): CoopExtensionApi | undefined {
  const log = vscode.window.createOutputChannel("Coop", { log: true });
  context.subscriptions.push(log);
  try {
    const config = new CoopConfig(vscode.workspace);
    const apiKeys = new RemoteApiKeys(context.secrets);
    engine = new EngineConnection(context, config, log, apiKeys);
    const connection = engine;
    const lastEditor = new LastTextEditor();
    const chat = new ChatViewProvider(context, connection, config, log, () => lastEditor.editor);
    const ensembleActivity = new EnsembleActivity();
    const snooze = new CompletionSnooze();
    const completions = new CoopInlineCompletionProvider(connection, config, log, ensembleActivity, snooze);
    const findingDiagnostics = new FindingDiagnostics(config, log);
    context.subscriptions.push(
      lastEditor,
      chat,
      ensembleActivity,
      snooze,
      completions,
      new WorkspaceSync(connection, log),
      new CoopStatusBar(connection, ensembleActivity, { config, snooze }),
      vscode.commands.registerCommand("coop.showStatusMenu", () =>
        showStatusMenu({ config, connection, snooze, log }),
      ),
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat, {
        // An answer keeps streaming into the view while the user looks at another one.
        webviewOptions: { retainContextWhenHidden: true },
      }),
      vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, completions),
      registerFindings(findingDiagnostics),
      registerAcceptedSuggestions(findingDiagnostics, log),
      trackWalkthroughProgress(context.extension.id, log),
      registerWalkthroughCommands(config, context.globalStorageUri),
      vscode.commands.registerCommand("coop.explainLastSuggestion", () => {
        const last = completions.lastSuggestion;
        if (!last) return vscode.window.showInformationMessage("Coop has not made a suggestion yet.");
        const { warning, message } = explainSuggestion(last);
        return warning
          ? vscode.window.showWarningMessage(message)
          : vscode.window.showInformationMessage(message);
      }),
      vscode.commands.registerCommand("coop.showLog", () => log.show()),
      vscode.commands.registerCommand("coop.swapVariant", () => swapVariant(config, connection, log)),
      vscode.commands.registerCommand("coop.downloadModels", () => downloadModels(connection, log)),
      vscode.commands.registerCommand("coop.openChat", () =>
        vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`),
      ),
      vscode.commands.registerCommand("coop.toggleCompletions", async () => {
        const enabled = !config.completionsEnabled();
        await config.setCompletionsEnabled(enabled);
        void vscode.window.showInformationMessage(
          `Coop inline completions ${enabled ? "enabled" : "disabled"}.`,
        );
      }),
      noticeRestrictedSettings(log, () => connection.reload()),
      noticeLoadFailures(connection, log),
      apiKeys,
      vscode.commands.registerCommand("coop.setRemoteApiKey", () =>
        setRemoteApiKey(apiKeys, connection.catalogFiles(), log),
      ),
      apiKeys.onDidChange((endpoint) => {
        log.info(`The API key for ${endpoint} changed; variants on that server reconnect on next use.`);
        connection.reload();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settingsThatReloadModels.some((setting) => event.affectsConfiguration(setting))) {
          log.info("Model settings changed; the variant reloads on next use.");
          vscode.window.setStatusBarMessage(
            "$(sync) Coop: model settings changed; the models reload on next use",
            6000,
          );
          connection.reload();
        }
      }),
    );
    log.info(`Coop activated (variant ${config.variant}).`);
    return { completions, engineStatus: () => connection.current };
  } catch (error) {
    log.error(error instanceof Error ? error : describeError(error));
    void vscode.window
      .showErrorMessage(`Coop failed to start: ${describeError(error)}`, "Show Log")
      .then((choice) => {
        if (choice === "Show Log") log.show();
      });
    return undefined;
  }
}

/** Waits for the engine process to unload its models and exit. */
export async function deactivate(): Promise<void> {
  await engine?.dispose();
  engine = undefined;
}
