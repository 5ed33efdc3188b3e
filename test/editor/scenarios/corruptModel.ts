import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitForCoopLog } from "../harness/coopLog.js";
import type { Scenario } from "../harness/scenario.js";
import { waitForFile } from "../harness/waitForFile.js";

/**
 * The start of a GGUF file cut short, as an interrupted download leaves it: a header promising 291 tensors,
 * then nothing.
 */
function truncatedGguf(): Buffer {
  const header = Buffer.alloc(24);
  header.write("GGUF", 0, "latin1");
  header.writeUInt32LE(3, 4);
  header.writeBigUInt64LE(291n, 8);
  header.writeBigUInt64LE(24n, 16);
  const firstKey = Buffer.alloc(18);
  firstKey.writeBigUInt64LE(20n, 0);
  firstKey.write("general.ar", 8, "latin1");
  return Buffer.concat([header, firstKey]);
}

const fim = { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" };

export const scenarios: Scenario[] = [
  {
    name: "a corrupt model file produces a clear error and the editor keeps working",
    session: "trusted",
    files: { "src/notes.ts": "export const notes: string[] = [];\n" },
    async run({ page, workspace, scratch, machineSettings, workspaceSettings, coopLog }) {
      // The user's own catalog (coop.modelCatalog) adds a variant whose target file is corrupt.
      const catalog = join(scratch, "models.json");
      await writeFile(join(scratch, "corrupt.gguf"), truncatedGguf());
      await writeFile(
        catalog,
        JSON.stringify({
          version: 1,
          models: [
            {
              id: "corrupt-target",
              uri: "./corrupt.gguf",
              role: "target",
              family: "coop-tiny",
              contextLength: 4096,
              fim,
            },
          ],
          variants: [
            {
              id: "coop-corrupt",
              label: "Coop corrupt (test)",
              description: "A target model file cut short.",
              target: "corrupt-target",
            },
          ],
        }),
      );
      const restoreMachine = await machineSettings.update({ "coop.modelCatalog": catalog });
      const restoreWorkspace = await workspaceSettings.update({ "coop.variant": "coop-corrupt" });
      try {
        const status = page.statusBarItem(/Coop: coop-corrupt/);
        await status.waitFor({ timeout: 30_000 });
        await page.openFile("src/notes.ts");
        await page.cursorToEnd();
        // Typing asks Coop for a suggestion, which loads the variant, which fails.
        await page.page.keyboard.type("\nexport function add", { delay: 40 });
        await status.locator(".codicon-warning").waitFor({ timeout: 60_000 });
        const tooltip = await page.hoverText(status, /cannot be loaded/);
        if (!tooltip.includes("corrupt.gguf"))
          throw new Error(`the status bar's error does not name the file: ${tooltip}`);
        await page.screenshot("status-error");
        await waitForCoopLog(
          coopLog,
          /Variant coop-corrupt could not be loaded: corrupt\.gguf cannot be loaded: .+/,
        );
        // The user is told once, with a way to retry or read the log.
        const notice = await page.waitForNotification(
          /Coop could not load coop-corrupt: .*corrupt\.gguf/,
          15_000,
        );
        await page.screenshot("load-error-notification");
        if ((await page.ghostText.count()) > 0)
          throw new Error("ghost text appeared although the variant cannot load");

        // The editor itself is unaffected: typing and saving work.
        await page.page.keyboard.type("(a: number, b: number) { return a + b; }", { delay: 20 });
        await page.save();
        await waitForFile(join(workspace, "src/notes.ts"), (text) =>
          text.includes("export function add(a: number, b: number) { return a + b; }"),
        );
        await page.screenshot("still-editing");
        // Typing on does not retry the failed load at every keystroke, nor repeat the notification.
        const failures = (await coopLog()).match(/Variant coop-corrupt could not be loaded/g) ?? [];
        if (failures.length !== 1)
          throw new Error(`the failed load was tried ${failures.length} times while typing, not once`);
        if ((await page.notification(/Coop could not load coop-corrupt/).count()) > 1)
          throw new Error(`the failure was notified more than once: ${notice}`);

        // The status item's menu shows the engine's error with its action (Retry, as the notification).
        await status.click();
        const errorRow = page.page
          .locator(".quick-input-list .monaco-list-row", { hasText: "coop-corrupt failed to load" })
          .first();
        await errorRow.waitFor({ timeout: 15_000 });
        const row = await errorRow.innerText();
        if (!/retry/.test(row) || !/corrupt\.gguf/.test(row))
          throw new Error(`the menu's engine row reads ${JSON.stringify(row)}`);
        await page.screenshot("status-menu-error");
        // Escape gives the focus back to the status item; the typing below belongs in the editor.
        await page.page.keyboard.press("Escape");
        await page.page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
        await page.cursorToEnd();
      } finally {
        await restoreWorkspace();
        await restoreMachine();
      }
      // And Coop recovers once the setting points back at a working variant.
      await page.waitForStatusBarText(/Coop: coop-tiny/);
      await page.typeUntilGhostText("\nexport const sum = ");
      if (
        (await page
          .statusBarItem(/Coop: coop-tiny/)
          .locator(".codicon-warning")
          .count()) > 0
      )
        throw new Error("the status bar still shows the error");
      await page.screenshot("recovered");
    },
  },
];
