import { provideVSCodeDesignSystem, vsCodeButton } from "@vscode/webview-ui-toolkit";
import { parseExtensionMessage, type ChatViewState, type WebviewToExtension } from "../extension/protocol/chatProtocol.js";

interface VsCodeApi {
  postMessage(message: WebviewToExtension): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

provideVSCodeDesignSystem().register(vsCodeButton());
const vscode = acquireVsCodeApi();
const app = document.getElementById("app")!;

function render(state: ChatViewState): void {
  app.replaceChildren();
  const status = document.createElement("p");
  status.textContent = `Variant ${state.variant} · engine ${state.engine}${state.detail ? ` · ${state.detail}` : ""}`;
  const logButton = document.createElement("vscode-button");
  logButton.setAttribute("appearance", "secondary");
  logButton.textContent = "Show Log";
  logButton.addEventListener("click", () => vscode.postMessage({ type: "showLog" }));
  app.append(status, logButton);
}

window.addEventListener("message", (event: MessageEvent) => {
  const message = parseExtensionMessage(event.data);
  if (!message) return;
  vscode.setState(message.state);
  render(message.state);
});

const saved = vscode.getState() as ChatViewState | undefined;
if (saved) render(saved);
vscode.postMessage({ type: "ready" });
