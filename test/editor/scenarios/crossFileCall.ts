import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
 * The embedded default reads its prompt: in `sample/src/main.ts`, which names `checkout` nowhere, a call
 * to it is typed, and the ghost text goes on with the parameters `checkout` declares in
 * `sample/src/checkout.ts`. The retriever brought that file's chunk into the prompt, and the copy heads
 * continued the call as the definition reads.
 */
export const scenarios: Scenario[] = [
  {
    name: "typing a call to a function defined in another file, the ghost text names its parameters",
    session: "trusted",
    files: sampleFiles(),
    async run({ page }) {
      await page.openFile("sample/src/main.ts");
      await page.cursorToEnd();
      await page.typeUntilGhostText("\nconst order = checkout(");
      const expected = "cart, options: CheckoutOptions";
      for (let attempt = 0; attempt < 4 && !(await page.ghostTextContent()).includes(expected); attempt++) {
        await page.runCommand("Trigger Inline Suggestion");
        await page.page.waitForTimeout(3_000);
      }
      const shown = await page.ghostTextContent();
      if (!shown.includes(expected))
        throw new Error(`the ghost text is ${JSON.stringify(shown)}, not the parameters of checkout`);
      await page.screenshot("checkout-parameters");
      await page.page.keyboard.press("Escape");
    },
  },
];
