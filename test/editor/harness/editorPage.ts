/// <reference lib="dom" />
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Locator, Page } from "playwright-core";

/** Coop's status bar item shows `Coop: <variant>`. */
export const coopStatusText = /Coop: /;

/**
 * The VS Code workbench in the browser, driven the way a user drives it: quick open, the command
 * palette, the keyboard. Every wait is on something the user would see (the DOM), never a blind sleep.
 */
export class EditorPage {
  private step = 0;

  constructor(
    readonly page: Page,
    /** Where this scenario's screenshots go, and the prefix of their names. */
    private readonly screenshots: { dir: string; prefix: string },
  ) {}

  async load(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  }

  /** Waits until Coop has activated: its status bar item is there. */
  async waitForCoop(timeoutMs = 60_000): Promise<void> {
    await this.statusBarItem(coopStatusText).waitFor({ timeout: timeoutMs });
  }

  /** Saves a screenshot named after the scenario and the step, numbered in order. */
  async screenshot(name: string): Promise<string> {
    await mkdir(this.screenshots.dir, { recursive: true });
    this.step++;
    const path = join(
      this.screenshots.dir,
      `${this.screenshots.prefix}-${String(this.step).padStart(2, "0")}-${name}.png`,
    );
    await this.page.screenshot({ path });
    return path;
  }

  /** Opens a workspace file through quick open (Ctrl+P) and waits for its editor to have focus. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press("Control+P");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ timeout: 30_000 });
    await input.fill(relativePath);
    // The focused row, once quick open has filtered by what was typed (until then it lists recent files).
    await this.page
      .locator(".quick-input-list .monaco-list-row.focused", { hasText: basename(relativePath) })
      .waitFor({ timeout: 30_000 });
    await this.page.keyboard.press("Enter");
    await this.page
      .locator(`.tab.active[data-resource-name="${basename(relativePath)}"]`)
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        const rows = await this.page.locator(".quick-input-list .monaco-list-row").allInnerTexts();
        const shown = (await input.isVisible())
          ? `quick open still shows ${JSON.stringify(await input.inputValue())} with ${JSON.stringify(rows.slice(0, 5))}`
          : "quick open closed";
        throw new Error(
          `${relativePath} did not become the active editor (${shown}): ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    await this.page
      .locator(".editor-group-container .monaco-editor.focused")
      .first()
      .waitFor({ timeout: 30_000 });
  }

  /** Runs a command by its title through the command palette (F1), e.g. "Coop: Toggle Inline Completions". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ timeout: 30_000 });
    await input.fill(`>${title}`);
    // The row of exactly this command (it may not be the first: other commands can match the words too).
    const row = this.page
      .locator(".quick-input-list .monaco-list-row", {
        has: this.page.locator(".label-name", { hasText: exactly(title) }),
      })
      .first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    // The palette closes, or the command reuses it for its own quick pick.
    await this.page.waitForFunction(
      (typed) => {
        const widget = document.querySelector<HTMLElement>(".quick-input-widget");
        const field = widget?.querySelector<HTMLInputElement>("input");
        return !widget || widget.style.display === "none" || field?.value !== typed;
      },
      `>${title}`,
      { timeout: 30_000 },
    );
  }

  /** Picks an item of the quick pick that is open, by text it shows (label, description or detail). */
  async pickQuickItem(text: string | RegExp): Promise<void> {
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: text }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
  }

  /** A notification toast containing the text. */
  notification(text: string | RegExp): Locator {
    return this.page.locator(".notifications-toasts .notification-toast", { hasText: text });
  }

  /** Waits for a notification toast containing the text and returns its whole message. */
  async waitForNotification(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const toast = this.notification(text).first();
    await toast.waitFor({ timeout: timeoutMs });
    return (await toast.locator(".notification-list-item-message").innerText()).trim();
  }

  /** A status bar entry whose text (icons aside) matches. */
  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: text }).first();
  }

  async waitForStatusBarText(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const item = this.statusBarItem(text);
    await item.waitFor({ timeout: timeoutMs });
    return (await item.innerText()).trim();
  }

  /** Hovers an element and returns the text of the hover that appears (a status bar item's tooltip, say). */
  async hoverText(target: Locator, expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
    await target.hover();
    const hover = this.page.locator(".workbench-hover, .monaco-hover", { hasText: expected }).first();
    await hover.waitFor({ timeout: timeoutMs });
    const text = (await hover.innerText()).trim();
    await this.page.mouse.move(0, 0);
    return text;
  }

  /** The inline suggestion's ghost text in the active editor (the inline part and any lines below it). */
  get ghostText(): Locator {
    return this.page
      .locator(".editor-group-container .monaco-editor.focused")
      .locator(".ghost-text-decoration, .ghost-text");
  }

  /** The ghost text as the user reads it (the editor renders its spaces as non-breaking spaces). */
  async ghostTextContent(): Promise<string> {
    return (await this.ghostText.allTextContents()).join("").replace(/\u00a0/g, " ");
  }

  /**
   * Types `text` and waits for ghost text; types it again (up to `attempts` times) when none comes:
   * the first keystrokes after a file opens sometimes reach the editor before the inline providers.
   */
  async typeUntilGhostText(
    text: string,
    options: { attempts?: number; timeoutMs?: number } = {},
  ): Promise<string> {
    const attempts = options.attempts ?? 4;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.page.keyboard.type(text, { delay: 40 });
      const shown = await this.ghostText
        .first()
        .waitFor({ state: "visible", timeout: options.timeoutMs ?? 20_000 })
        .then(
          () => true,
          () => false,
        );
      if (shown) return this.ghostTextContent();
    }
    throw new Error(`no ghost text appeared after typing ${JSON.stringify(text)} ${attempts} times`);
  }

  /** Puts the cursor at the end of the active editor. */
  async cursorToEnd(): Promise<void> {
    await this.page.keyboard.press("Control+End");
  }

  async save(): Promise<void> {
    await this.page.keyboard.press("Control+S");
  }

  /** Closes every editor without saving, so the next scenario starts from a clean window. */
  async closeAllEditors(): Promise<void> {
    await this.page.keyboard.press("Escape");
    await this.runCommand("View: Close All Editors");
    const dontSave = this.page.locator(".monaco-dialog-box .monaco-button", { hasText: /Don't Save/ });
    const tabs = this.page.locator(".editor-group-container .tab");
    const started = Date.now();
    while ((await tabs.count()) > 0) {
      if (await dontSave.isVisible()) await dontSave.click();
      if (Date.now() - started > 15_000) throw new Error("the editors did not close");
      await this.page.waitForTimeout(100);
    }
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}
