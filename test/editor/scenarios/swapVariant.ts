import { join } from "node:path";
import { waitForCoopLog } from "../harness/coopLog.js";
import type { Scenario } from "../harness/scenario.js";
import { waitForFile } from "../harness/waitForFile.js";

export const scenarios: Scenario[] = [
  {
    name: "Coop: Swap Model Variant lists the variants, and the choice persists for the workspace and shows in the status bar",
    session: "trusted",
    async run({ page, workspace, workspaceSettings }) {
      const before = await workspaceSettings.read();
      try {
        await page.runCommand("Coop: Swap Model Variant");
        for (const id of ["coop-tiny (active)", "coop-tiny-python", "coop-tiny-systems", "coop-tiny-ties"]) {
          await page.page
            .locator(".quick-input-list .monaco-list-row", { hasText: id })
            .first()
            .waitFor({ timeout: 30_000 });
        }
        await page.screenshot("variants");
        await page.pickQuickItem(/coop-tiny-python/);
        await page.waitForStatusBarText(/Coop: coop-tiny-python/, 60_000);
        await waitForFile(join(workspace, ".vscode", "settings.json"), (text) =>
          /"coop\.variant"\s*:\s*"coop-tiny-python"/.test(text),
        );
        await page.screenshot("swapped");
      } finally {
        await workspaceSettings.write(before);
      }
      await page.waitForStatusBarText(/Coop: coop-tiny$/);
    },
  },
  {
    name: "a Q4_K_M merged variant is listed in Swap Model Variant, built on first use, and writes ghost text",
    session: "trusted",
    files: {
      "quantized.ts": "export function total(prices: number[]): number {\n  return prices.length;\n}\n",
    },
    async run({ page, workspaceSettings, coopLog }) {
      const before = await workspaceSettings.read();
      try {
        await page.runCommand("Coop: Swap Model Variant");
        await page.page
          .locator(".quick-input-list .monaco-list-row", { hasText: "coop-tiny-ties-q4_k_m" })
          .first()
          .waitFor({ timeout: 30_000 });
        await page.pickQuickItem(/coop-tiny-ties-q4_k_m/);
        await page.waitForStatusBarText(/Coop: coop-tiny-ties-q4_k_m/, 60_000);
        await page.openFile("quantized.ts");
        await page.cursorToEnd();
        // The first completion merges the two fine-tunes by TIES, writes the result as Q4_K_M (cached
        // for later sessions) and loads it: minutes on a busy machine the first time.
        await page.typeUntilGhostText("\nexport function load", { attempts: 3, timeoutMs: 300_000 });
        await waitForCoopLog(coopLog, /Variant coop-tiny-ties-q4_k_m loaded/, 10_000);
        if ((await page.ghostTextContent()).trim() === "") throw new Error("the ghost text is empty");
        await page.screenshot("q4_k_m-ghost-text");
      } finally {
        await workspaceSettings.write(before);
      }
      await page.waitForStatusBarText(/Coop: coop-tiny$/);
    },
  },
];
