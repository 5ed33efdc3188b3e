import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EditorPage } from "../harness/editorPage.js";
import type { Scenario } from "../harness/scenario.js";
import { repoRoot } from "../../support/repoRoot.js";

/** The repository's sample project, as the workspace's `sample/` folder. */
function sampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ["package.json", "tsconfig.json"])
    files[`sample/${name}`] = readFileSync(join(repoRoot, "sample", name), "utf8");
  for (const name of readdirSync(join(repoRoot, "sample", "src")).filter((file) => file.endsWith(".ts")))
    files[`sample/src/${name}`] = readFileSync(join(repoRoot, "sample", "src", name), "utf8");
  return files;
}

/**
 * The tiny models with copy heads (variant coop-tiny-copy) read their prompt: in `sample/src/main.ts`,
 * which names `amountOffAbove` nowhere, a call to it is typed, and the ghost text goes on with the
 * parameters `amountOffAbove` declares in `sample/src/discounts.ts` (no file calls it). The retriever
 * brought that file's chunk into the prompt, and the copy heads continued the call as the definition
 * reads.
 */
export const scenarios: Scenario[] = [
  {
    name: "typing a call to a function defined in another file, the ghost text names its parameters",
    session: "trusted",
    files: sampleFiles(),
    async run({ page, workspaceSettings }) {
      const restore = await workspaceSettings.update({ "coop.variant": "coop-tiny-copy" });
      try {
        await page.waitForStatusBarText(/Coop: coop-tiny-copy/, 30_000);
        await suggestParameters(page);
      } finally {
        await restore();
      }
    },
  },
];

async function suggestParameters(page: EditorPage): Promise<void> {
  await page.openFile("sample/src/main.ts");
  await page.cursorToEnd();
  await page.typeUntilGhostText("\nconst bulk = amountOffAbove(", { timeoutMs: 60_000 });
  // Its first parameter, as declared: the copy heads match three tokens back, so after `number` they
  // may go on as either parameter's `Cents: number` did.
  const expected = "thresholdCents: number";
  for (let attempt = 0; attempt < 4 && !(await page.ghostTextContent()).includes(expected); attempt++) {
    await page.runCommand("Trigger Inline Suggestion");
    await page.page.waitForTimeout(3_000);
  }
  const shown = await page.ghostTextContent();
  if (!shown.includes(expected))
    throw new Error(`the ghost text is ${JSON.stringify(shown)}, not amountOffAbove's parameters`);
  await page.screenshot("amountOffAbove-parameters");
  await page.page.keyboard.press("Escape");
}
