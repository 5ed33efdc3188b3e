import type { EditorPage } from "../harness/editorPage.js";
import type { Scenario } from "../harness/scenario.js";

/** Clicks Coop's status bar item and waits for its menu, then returns its rows' texts. */
async function openMenu(page: EditorPage): Promise<string[]> {
  await page.page.keyboard.press("Escape");
  await page.statusBarItem(/Coop: coop-tiny/).click();
  const rows = page.page.locator(".quick-input-list .monaco-list-row");
  await rows.filter({ hasText: "Show log" }).first().waitFor({ timeout: 15_000 });
  return rows.allInnerTexts();
}

/**
 * Opens the menu until it shows a row with `text`: a setting the menu changed reaches the extension
 * host a moment after its file is written.
 */
async function openMenuWith(page: EditorPage, text: string): Promise<void> {
  const started = Date.now();
  while (!(await openMenu(page)).some((row) => row.includes(text))) {
    if (Date.now() - started > 15_000) throw new Error(`the menu never showed "${text}"`);
    await page.page.keyboard.press("Escape");
    await page.page.waitForTimeout(250);
  }
}

async function pick(page: EditorPage, text: string | RegExp): Promise<void> {
  await openMenu(page);
  await page.pickQuickItem(text);
}

function excludedLanguages(settings: Record<string, unknown>): string[] {
  const value = settings["coop.completions.excludedLanguages"];
  return Array.isArray(value) ? (value as string[]) : [];
}

async function waitForSetting(
  read: () => Promise<Record<string, unknown>>,
  accept: (settings: Record<string, unknown>) => boolean,
  what: string,
): Promise<void> {
  const started = Date.now();
  while (!accept(await read())) {
    if (Date.now() - started > 15_000) throw new Error(`the user settings never had ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const scenarios: Scenario[] = [
  {
    name: "the status item's menu shows the engine's state, turns completions off per language, everywhere and for a while, and leads to variant, downloads, chat and log",
    session: "trusted",
    files: { "menu/demo.ts": "export const answer = 42;\n" },
    async run({ page, userSettings }) {
      const before = await userSettings.read();
      try {
        await page.openFile("menu/demo.ts");
        const rows = await openMenu(page);
        const expected = [
          /coop-tiny( is ready|: loads on the first completion)|Loading coop-tiny/,
          /Disable completions everywhere/,
          /Disable completions for typescript/,
          /Snooze completions for 5 minutes/,
          /Snooze completions for 30 minutes/,
          /Swap model variant/,
          /Download models/,
          /Open chat/,
          /Show log/,
        ];
        for (const pattern of expected)
          if (!rows.some((row) => pattern.test(row)))
            throw new Error(`the menu has no row matching ${pattern}: ${JSON.stringify(rows)}`);
        await page.screenshot("menu");

        // For this language: the user's excludedLanguages gains typescript, and loses it again.
        await page.pickQuickItem("Disable completions for typescript");
        await waitForSetting(
          () => userSettings.read(),
          (settings) => excludedLanguages(settings).includes("typescript"),
          "typescript in coop.completions.excludedLanguages",
        );
        await openMenuWith(page, "Enable completions for typescript");
        await page.screenshot("typescript-disabled");
        await page.pickQuickItem("Enable completions for typescript");
        await waitForSetting(
          () => userSettings.read(),
          (settings) => !excludedLanguages(settings).includes("typescript"),
          "typescript out of coop.completions.excludedLanguages",
        );

        // Everywhere: the status item says so.
        await pick(page, "Disable completions everywhere");
        await page.waitForStatusBarText(/Coop: coop-tiny \(off\)/);
        await page.screenshot("off-everywhere");
        await openMenuWith(page, "Enable completions everywhere");
        await page.pickQuickItem("Enable completions everywhere");
        await page.waitForStatusBarText(/Coop: coop-tiny$/);

        // Snoozed: the status item says until when; the menu resumes.
        await pick(page, "Snooze completions for 5 minutes");
        await page.waitForStatusBarText(/Coop: coop-tiny \(snoozed until/);
        const menu = await openMenu(page);
        if (!menu.some((row) => /Resume completions/.test(row)))
          throw new Error(`no Resume row while snoozed: ${JSON.stringify(menu)}`);
        await page.screenshot("snoozed");
        await page.pickQuickItem("Resume completions");
        await page.waitForStatusBarText(/Coop: coop-tiny$/);

        // The ways out: the variant list, the download, the chat view, the log.
        await pick(page, "Swap model variant");
        await page.page
          .locator(".quick-input-list .monaco-list-row", { hasText: "coop-tiny-python" })
          .first()
          .waitFor({ timeout: 30_000 });
        await page.page.keyboard.press("Escape");
        await pick(page, "Download models");
        await page.waitForNotification(/coop-tiny needs no download/, 60_000);
        await pick(page, "Open chat");
        await page.page
          .locator(".part.sidebar .title-label", { hasText: /coop/i })
          .first()
          .waitFor({ timeout: 30_000 });
        await page.screenshot("chat-open");
        await pick(page, "Show log");
        // The Output panel on Coop's channel (its log lines, the latest in view: the session logs at
        // debug level, so these may all be debug lines).
        await page.page
          .locator(".part.panel", { hasText: "Coop" })
          .locator(".monaco-editor .view-lines", { hasText: /\[(info|debug)\]/ })
          .first()
          .waitFor({ timeout: 30_000 });
        await page.screenshot("log");
      } finally {
        await page.page.keyboard.press("Escape");
        await userSettings.write(before);
      }
    },
  },
];
