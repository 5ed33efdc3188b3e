import type { Frame } from "playwright-core";
import type { EditorPage } from "./editorPage.js";

/**
 * The chat view's page: VS Code puts a webview in an iframe holding another iframe with our page;
 * the frame that has the chat's input is the one.
 */
export async function chatFrame(page: EditorPage, timeoutMs = 60_000): Promise<Frame> {
  const started = Date.now();
  for (;;) {
    for (const frame of page.page.frames()) {
      if (
        await frame
          .locator('[data-testid="chat-input"]')
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    if (Date.now() - started > timeoutMs) throw new Error("the chat view never showed its input");
    await page.page.waitForTimeout(250);
  }
}
