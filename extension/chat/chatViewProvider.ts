import * as vscode from "vscode";
import { parseWebviewMessage, type ChatViewState, type ExtensionToWebview } from "../protocol/chatProtocol.js";
import { chatViewHtml } from "./chatViewHtml.js";

/** The chat view in Coop's activity-bar container. Messages go through the typed protocol only. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = "coop.chat";

  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly currentState: () => ChatViewState,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const scriptsRoot = vscode.Uri.joinPath(this.extensionUri, "out");
    view.webview.options = { enableScripts: true, localResourceRoots: [scriptsRoot] };
    view.webview.html = chatViewHtml(view.webview, vscode.Uri.joinPath(scriptsRoot, "webview.js"));
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidDispose(() => {
        this.view = undefined;
      }),
    );
  }

  /** Sends the current state to the view, if it is showing. */
  refresh(): void {
    this.post({ type: "state", state: this.currentState() });
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`Chat view sent a malformed message, ignored: ${safeJson(raw)}`);
      return;
    }
    switch (message.type) {
      case "ready":
        this.refresh();
        return;
      case "showLog":
        this.log.show();
        return;
    }
  }

  private post(message: ExtensionToWebview): void {
    void this.view?.webview.postMessage(message);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
