import { chromium, type Browser } from "playwright-core";
import type { EditorTools } from "../../../tools/editor/editorTools.js";

/** Debian's Chromium, headless, with a fresh profile and nothing that reaches for the network. */
export function launchBrowser(tools: EditorTools): Promise<Browser> {
  return chromium.launch({
    executablePath: tools.chromium,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const viewport = { width: 1400, height: 900 };
