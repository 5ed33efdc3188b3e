import { randomBytes } from "node:crypto";
import type * as vscode from "vscode";

/**
 * The chat view's page: nothing loads but our own script (nonce) and stylesheet (the extension's
 * cspSource; 'unsafe-inline' styles are for the UI toolkit's components, which add style elements).
 * No images, fonts from elsewhere, frames or connections: the answers' markdown cannot load anything.
 */
export function chatViewHtml(webview: vscode.Webview, script: vscode.Uri, styles: vscode.Uri): string {
  const nonce = randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attribute(webview.asWebviewUri(styles).toString())}">
  <title>Coop Chat</title>
</head>
<body>
  <main id="app" class="chat-app"></main>
  <script nonce="${nonce}" src="${attribute(webview.asWebviewUri(script).toString())}"></script>
</body>
</html>`;
}

/** A webview URI is already encoded; quotes and ampersands still must not end the attribute. */
function attribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}
