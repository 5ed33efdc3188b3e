import assert from "node:assert/strict";
import { test } from "node:test";
import { chatViewHtml } from "../../extension/chat/chatViewHtml.js";

// The editor's types, named through chatViewHtml: outside the editor this test does not import vscode.
type Webview = Parameters<typeof chatViewHtml>[0];
type Uri = Parameters<typeof chatViewHtml>[1];

const cspSource = "https://file+.vscode-resource.vscode-cdn.net";
const webview = {
  cspSource,
  asWebviewUri: (uri: { path: string }) => ({ toString: () => `${cspSource}${uri.path}` }),
} as unknown as Webview;
const uri = (path: string) => ({ path }) as unknown as Uri;

test("the page loads only its nonce'd script and its stylesheet, under a CSP that allows nothing else", () => {
  const html = chatViewHtml(webview, uri("/ext/out/webview.js"), uri("/ext/media/chat.css"));
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp);
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce);
  assert.deepEqual(csp.split("; "), [
    "default-src 'none'",
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ]);
  assert.deepEqual(
    [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]),
    [`<script nonce="${nonce}" src="${cspSource}/ext/out/webview.js">`],
  );
  assert.match(
    html,
    new RegExp(`<link rel="stylesheet" href="${cspSource.replace(/[.+]/g, "\\$&")}/ext/media/chat.css">`),
  );
  assert.match(html, /<main id="app"/);
  assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handlers");
  assert.notEqual(
    /nonce-([^']+)/.exec(chatViewHtml(webview, uri("/a.js"), uri("/a.css")))?.[1],
    nonce,
    "a fresh nonce per page",
  );
});
