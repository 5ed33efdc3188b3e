import { join } from "node:path";
import type { Scenario } from "../harness/scenario.js";
import { waitForFile } from "../harness/waitForFile.js";

const demo =
  'import { readFile } from "node:fs/promises";\n\nexport async function readConfig(path: string) {\n  return JSON.parse(await readFile(path, "utf8"));\n}\n';

export const scenarios: Scenario[] = [
  {
    name: "ghost text appears while typing in a TypeScript file and Tab inserts it",
    session: "trusted",
    files: { "demo.ts": demo },
    async run({ page, workspace }) {
      await page.openFile("demo.ts");
      await page.cursorToEnd();
      // The first completion starts Coop's engine process and loads the embedded variant.
      await page.typeUntilGhostText("\nexport function load");
      const inline = (
        await page.page.locator(".monaco-editor.focused .ghost-text-decoration").allTextContents()
      )
        .join("")
        .replace(/\u00a0/g, " ");
      if (inline.trim() === "") throw new Error("the ghost text on the cursor's line is empty");
      await page.screenshot("ghost-text");
      await page.page.keyboard.press("Tab");
      await page.save();
      await waitForFile(join(workspace, "demo.ts"), (text) => text.includes(`export function load${inline}`));
      await page.screenshot("accepted");
    },
  },
];
