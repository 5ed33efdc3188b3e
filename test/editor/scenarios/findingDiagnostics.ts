import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitForCoopLog } from "../harness/coopLog.js";
import type { EditorPage } from "../harness/editorPage.js";
import type { Scenario } from "../harness/scenario.js";
import { waitForFile } from "../harness/waitForFile.js";

/**
 * In an empty function body the embedded tiny variant suggests a block declaring `resolvedMessages`,
 * which the workspace does not define; `resolveMessages`, which it does define, is the detector's
 * "did you mean".
 */
const summary = "export function summary() {\n  \n}\n";
const files = {
  "findings/messages.ts": "export function resolveMessages(ids: string[]): string[] {\n  return ids;\n}\n",
  "findings/summary.ts": summary,
};

/** The Problems view's rows that are Coop's. */
const coopProblem = (page: EditorPage) =>
  page.page.locator(".markers-panel .monaco-list-row", { hasText: "Coop's suggestion" });

/** Puts the cursor in the empty body and asks for the suggestion until its ghost text names the name. */
async function suggestResolvedMessages(page: EditorPage): Promise<void> {
  await page.openFile("findings/summary.ts");
  await page.runCommand("Go to Line/Column...");
  await page.page.keyboard.type("2:3");
  await page.page.keyboard.press("Enter");
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await page.ghostTextContent()).includes("resolvedMessages")) return;
    await page.runCommand("Trigger Inline Suggestion");
    await page.page
      .waitForFunction(
        () =>
          Array.from(document.querySelectorAll(".monaco-editor.focused .ghost-text-decoration"))
            .map((element) => element.textContent)
            .join("")
            .includes("resolvedMessages"),
        undefined,
        { timeout: 20_000 },
      )
      .catch(() => undefined);
  }
  throw new Error(`the ghost text is ${JSON.stringify(await page.ghostTextContent())}`);
}

/** "line:column" (1-based) of the first occurrence of `text` in `source`. */
function lineColumn(source: string, text: string): string {
  const before = source.slice(0, source.indexOf(text)).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

export const scenarios: Scenario[] = [
  {
    name: "an accepted suggestion's unknown name is a Coop diagnostic with a hover and a quick fix that clears it",
    session: "trusted",
    files,
    async run({ page, workspace, coopLog, workspaceSettings }) {
      const path = join(workspace, "findings", "summary.ts");
      const accepted = () => coopLog().then((log) => log.split("Accepted suggestion").length - 1);
      try {
        await suggestResolvedMessages(page);
        const acceptedBefore = await accepted();
        await page.page.keyboard.press("Tab");
        await waitForCoopLog(coopLog, /Marked resolvedMessages in findings\/summary\.ts/);
        if ((await accepted()) !== acceptedBefore + 1)
          throw new Error("Coop's log does not say it was accepted");

        // The diagnostic: in the Problems view, from Coop, naming the name and the detector's fix.
        await page.runCommand("Problems: Focus on Problems View");
        await coopProblem(page).first().waitFor({ timeout: 15_000 });
        const problem = await coopProblem(page).first().innerText();
        if (!/resolvedMessages/.test(problem) || !/resolveMessages/.test(problem))
          throw new Error(`the Coop problem reads ${JSON.stringify(problem)}`);
        await page.screenshot("diagnostic");

        // The hover on the name: what the detector found and on what evidence.
        await page.save();
        const saved = await waitForFile(path, (text) => text.includes("resolvedMessages"));
        await page.runCommand("Go to Line/Column...");
        await page.page.keyboard.type(lineColumn(saved, "resolvedMessages"));
        await page.page.keyboard.press("Enter");
        // The mouse over the name: Coop's is the one warning squiggle (the compiler's are errors).
        const squiggle = await page.page
          .locator(".monaco-editor.focused .squiggly-warning")
          .first()
          .boundingBox();
        if (!squiggle) throw new Error("no warning squiggle in the editor");
        await page.page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
        const hover = page.page.locator(".monaco-hover:not(.hidden)", { hasText: "Coop's detector" }).first();
        await hover.waitFor({ timeout: 15_000 });
        // The hover lays its text out with non-breaking spaces: read as plain spaces.
        const hoverText = (await hover.innerText()).replace(/\s+/g, " ");
        for (const expected of [
          /unknown symbol/,
          /Evidence: .*no workspace file defines it/,
          /resolveMessages/,
        ])
          if (!expected.test(hoverText)) throw new Error(`the hover reads ${JSON.stringify(hoverText)}`);
        await page.screenshot("hover");
        await page.page.mouse.move(0, 0);
        await page.page.keyboard.press("Escape");

        // The quick fix from the detector's "did you mean": the name changes, the diagnostic goes.
        await page.page.keyboard.press("Control+.");
        const fix = page.page
          .locator(".action-widget .monaco-list-row", {
            hasText: "change 'resolvedMessages' to 'resolveMessages'",
          })
          .first();
        await fix.waitFor({ timeout: 15_000 });
        await page.screenshot("quick-fix");
        await fix.click();
        await waitForCoopLog(coopLog, /A flagged name was edited; its Coop diagnostic is gone/);
        await page.save();
        const fixed = await waitForFile(path, (text) => !text.includes("resolvedMessages"));
        if (!fixed.includes("resolveMessages")) throw new Error(`the file reads ${JSON.stringify(fixed)}`);
        await page.runCommand("Problems: Focus on Problems View");
        await coopProblem(page).waitFor({ state: "detached", timeout: 15_000 });
        await page.screenshot("fixed-no-diagnostic");

        // coop.detector.diagnostics off: an accepted flagged suggestion is logged but not marked.
        await writeFile(path, summary);
        await page.closeAllEditors();
        const restore = await workspaceSettings.update({ "coop.detector.diagnostics": false });
        try {
          const marked = (await coopLog()).split("Marked resolvedMessages").length;
          await suggestResolvedMessages(page);
          await page.page.keyboard.press("Tab");
          await waitForCoopLog(coopLog, /findings are not marked: coop\.detector\.diagnostics is off/);
          if ((await coopLog()).split("Marked resolvedMessages").length !== marked)
            throw new Error("Coop marked the name with coop.detector.diagnostics off");
          await page.runCommand("Problems: Focus on Problems View");
          if ((await coopProblem(page).count()) > 0)
            throw new Error("a Coop problem shows with the setting off");
          await page.screenshot("setting-off");
        } finally {
          await restore();
        }
      } finally {
        // The name must not be defined on disk for the scenarios after this one.
        if ((await readFile(path, "utf8")) !== summary) await writeFile(path, summary);
      }
    },
  },
];
