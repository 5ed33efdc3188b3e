import { waitForCoopLog } from "../harness/coopLog.js";
import type { EditorPage } from "../harness/editorPage.js";
import type { Scenario } from "../harness/scenario.js";

/** An empty function body: a multi-line completion, which best-of-n draws several candidates for. */
const files = {
  "alternatives/report.ts": "export function report() {\n  \n}\n",
  "alternatives/warmup.ts": "export const warm = 1;\n",
};

async function waitForGhostTextOtherThan(
  page: EditorPage,
  shown: string,
  timeoutMs = 20_000,
): Promise<string> {
  const started = Date.now();
  for (;;) {
    const now = await page.ghostTextContent();
    if (now.trim() !== "" && now !== shown) return now;
    if (Date.now() - started > timeoutMs)
      throw new Error(`the ghost text stayed ${JSON.stringify(shown.slice(0, 80))}`);
    await page.page.waitForTimeout(100);
  }
}

export const scenarios: Scenario[] = [
  {
    name: "best-of-n's other candidates are further inline suggestions: next suggestion shows one, Tab accepts it, the log says which",
    session: "trusted",
    files,
    async run({ page, workspaceSettings, coopLog }) {
      const restore = await workspaceSettings.update({
        "coop.bestOfN.n": 3,
        "coop.bestOfN.budgetMs": 20_000,
      });
      try {
        // Best-of-n needs the target: while it loads, the draft answers alone, with one candidate.
        await page.openFile("alternatives/warmup.ts");
        await page.cursorToEnd();
        await page.typeUntilGhostText("const ", { timeoutMs: 60_000 });
        await waitForCoopLog(coopLog, /Variant coop-tiny loaded/, 120_000);
        await page.page.keyboard.press("Escape");

        await page.openFile("alternatives/report.ts");
        await page.runCommand("Go to Line/Column...");
        await page.page.keyboard.type("2:3");
        await page.page.keyboard.press("Enter");
        let first = "";
        for (let attempt = 0; attempt < 4 && first.trim() === ""; attempt++) {
          await page.runCommand("Trigger Inline Suggestion");
          first = await waitForGhostTextOtherThan(page, "", 30_000).catch(() => "");
        }
        if (first.trim() === "") throw new Error("no ghost text in the function body");
        await page.screenshot("first-suggestion");

        // Alt+]: the next inline suggestion (the palette would take the focus, and the suggestion with it).
        await page.page.keyboard.press("Alt+BracketRight");
        await waitForGhostTextOtherThan(page, first);
        // Its lines as rendered (innerText breaks between the editor's line elements; joined text content
        // would run the end of one line into the next).
        const secondLines = (await page.ghostText.allInnerTexts()).flatMap((text) =>
          text.replace(/\u00a0/g, " ").split("\n"),
        );
        await page.screenshot("next-suggestion");

        await page.page.keyboard.press("Tab");
        const accepted = await waitForCoopLog(coopLog, /Accepted suggestion \d+ of \d+/);
        const match = /Accepted suggestion (\d+) of (\d+) \((.*)\)/.exec(accepted);
        if (!match || match[1] === "1" || Number(match[2]) < 2 || !/best-of-n/.test(match[3]!))
          throw new Error(`Coop's log says: ${accepted}`);
        // The accepted text is in the editor now: its longest word, at least.
        const word = secondLines
          .flatMap((line) => line.split(/\s+/))
          .reduce((long, next) => (next.length > long.length ? next : long), "");
        await page.page
          .locator(".monaco-editor.focused .view-lines", { hasText: word.slice(0, 40) })
          .waitFor({ timeout: 10_000 });
        await page.screenshot("accepted-second");
      } finally {
        await restore();
      }
    },
  },
];
