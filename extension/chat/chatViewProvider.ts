import * as vscode from "vscode";
import type { CoopConfig } from "../settings/config.js";
import type { EngineConnection } from "../engine/engineConnection.js";
import {
  parseWebviewMessage,
  type ChatSourceRef,
  type ExtensionToWebview,
  type StateAction,
  type WebviewToExtension,
} from "../protocol/chatProtocol.js";
import { ChatHistory } from "./chatHistory.js";
import { ChatSession } from "./chatSession.js";
import { chatViewHtml } from "./chatViewHtml.js";
import { chatViewState } from "./chatViewState.js";
import { CodeProposals } from "./codeProposals.js";
import { locateSource } from "./sourceLocation.js";
import { describeError } from "../../engine/errors/index.js";

/** The chat view in Coop's activity-bar container. Messages go through the typed protocol only. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = "coop.chat";

  private view: vscode.WebviewView | undefined;
  private viewSubscriptions: vscode.Disposable[] = [];
  private readonly history: ChatHistory;
  private readonly session: ChatSession;
  private readonly proposals: CodeProposals;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineConnection,
    config: CoopConfig,
    private readonly log: vscode.LogOutputChannel,
    private readonly lastEditor: () => vscode.TextEditor | undefined,
  ) {
    this.history = new ChatHistory(context.workspaceState);
    this.session = new ChatSession(
      engine,
      config,
      this.history,
      lastEditor,
      (message) => this.post(message),
      log,
    );
    this.proposals = new CodeProposals(lastEditor);
    this.subscriptions = [this.session, this.proposals, engine.onDidChangeStatus(() => this.postState())];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const subscription of this.viewSubscriptions.splice(0)) subscription.dispose();
    this.view = view;
    const scripts = vscode.Uri.joinPath(this.context.extensionUri, "out");
    const media = vscode.Uri.joinPath(this.context.extensionUri, "media");
    view.webview.options = { enableScripts: true, localResourceRoots: [scripts, media] };
    view.webview.html = chatViewHtml(
      view.webview,
      vscode.Uri.joinPath(scripts, "webview.js"),
      vscode.Uri.joinPath(media, "chat.css"),
    );
    this.viewSubscriptions.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  dispose(): void {
    for (const subscription of [...this.viewSubscriptions.splice(0), ...this.subscriptions.splice(0)])
      subscription.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`The chat view sent a malformed message; ignored: ${safeJson(raw)}`);
      return;
    }
    this.handle(message).catch((error: unknown) => {
      const text = describeError(error);
      this.log.error(`The chat could not do ${message.type}: ${text}`);
      void vscode.window
        .showErrorMessage(`Coop chat: ${text}`, "Show Log")
        .then((choice) => choice && this.log.show());
    });
  }

  private async handle(message: WebviewToExtension): Promise<void> {
    switch (message.type) {
      case "ready":
        this.postState();
        this.post({ type: "history", entries: [...this.history.entries] });
        return;
      case "ask":
        return this.session.ask(message.requestId, message.text, message.attach);
      case "stop":
        return this.session.stop(message.requestId);
      case "clearHistory":
        return this.session.clear();
      case "openSource":
        return this.openSource(message.source);
      case "insertCode":
        return this.proposals.insertAtCursor(message.code);
      case "copyCode":
        return this.proposals.copy(message.code);
      case "applyCode":
        return this.proposals.preview(message.code);
      case "action":
        return this.runAction(message.action);
    }
  }

  private async openSource(source: ChatSourceRef): Promise<void> {
    // The folders on disk, the one the engine indexed first (see EngineConnection.ensureWorkspace).
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === "file")
      .map((folder) => folder.uri.fsPath);
    const located = await locateSource(folders, source.path);
    if ("refused" in located) {
      this.log.warn(`The chat asked to open a source outside the workspace; refused: ${source.path}`);
      void vscode.window.showWarningMessage(`Coop: ${located.refused}.`);
      return;
    }
    let document: vscode.TextDocument | undefined;
    if ("file" in located)
      document = await vscode.workspace.openTextDocument(vscode.Uri.file(located.file)).then(
        (opened) => opened,
        () => undefined,
      );
    if (!document) {
      void vscode.window.showWarningMessage(`Coop: ${source.path} is no longer in the workspace.`);
      return;
    }
    const end = Math.min(source.endLine, document.lineCount - 1);
    const range = new vscode.Range(source.startLine, 0, end, document.lineAt(end).text.length);
    await vscode.window.showTextDocument(document, {
      selection: range,
      viewColumn: this.lastEditor()?.viewColumn ?? vscode.ViewColumn.One,
    });
  }

  private async runAction(action: StateAction): Promise<void> {
    switch (action) {
      case "downloadModels":
        await vscode.commands.executeCommand("coop.downloadModels");
        return;
      case "swapVariant":
        await vscode.commands.executeCommand("coop.swapVariant");
        return;
      case "showLog":
        this.log.show();
        return;
      case "retry":
        await this.engine.loadNow().catch(() => undefined); // the failure shows as the view's state
        return;
    }
  }

  private postState(): void {
    this.post({ type: "state", state: chatViewState(this.engine.current) });
  }

  private post(message: ExtensionToWebview): void {
    void this.view?.webview.postMessage(message);
  }
}

function safeJson(value: unknown): string {
  try {
    // Typed as always a string, JSON.stringify gives undefined for a function or symbol.
    return (JSON.stringify(value) as string | undefined)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
