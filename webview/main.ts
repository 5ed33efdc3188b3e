import { ChatApp, type VsCodeApi } from "./chatApp.js";
import { registerToolkit } from "./toolkit.js";

declare function acquireVsCodeApi(): VsCodeApi;

registerToolkit();
const vscode = acquireVsCodeApi();
const root = document.getElementById("app");
if (!root) throw new Error("The chat page has no #app element.");
const app = new ChatApp(root, vscode);
window.addEventListener("message", (event: MessageEvent) => app.receive(event.data));
vscode.postMessage({ type: "ready" });
