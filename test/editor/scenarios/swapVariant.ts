import { join } from "node:path";
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
];
