import { waitForCoopLog } from "../harness/coopLog.js";
import type { Scenario } from "../harness/scenario.js";

/**
 * In an empty function body the embedded tiny variant suggests a block declaring `resolvedMessages`,
 * a name the workspace does not define (its bigram models continue every prompt the same way).
 */
const files = {
  "src/invoice.ts":
    "export function computeInvoiceTotal(prices: number[]): number {\n  return prices.reduce((sum, price) => sum + price, 0);\n}\n",
  "src/report.ts": 'import { computeInvoiceTotal } from "./invoice";\n\nexport function summary() {\n  \n}\n',
};

export const scenarios: Scenario[] = [
  {
    name: "a suggestion that uses a name the workspace does not define is annotated, or suppressed, per coop.detector.policy",
    session: "trusted",
    files,
    async run({ page, workspaceSettings, coopLog }) {
      await page.openFile("src/report.ts");
      await page.runCommand("Go to Line/Column...");
      await page.page.keyboard.type("4:3");
      await page.page.keyboard.press("Enter");

      // annotate (the default): the ghost text shows, and the status bar names what does not exist.
      const annotation = /Coop: the suggestion uses resolvedMessages \(unknown symbol/;
      for (let attempt = 0; attempt < 4 && !(await page.statusBarItem(annotation).isVisible()); attempt++) {
        await page.runCommand("Trigger Inline Suggestion");
        await page
          .statusBarItem(annotation)
          .waitFor({ timeout: 20_000 })
          .catch(() => undefined);
      }
      await page.waitForStatusBarText(annotation, 5_000);
      // The status bar names the last suggestion's findings; the ghost text may be between two
      // renderings (a request the editor sent again), so it is asked for again until it shows.
      for (
        let attempt = 0;
        attempt < 4 && !(await page.ghostTextContent()).includes("resolvedMessages");
        attempt++
      ) {
        await page.runCommand("Trigger Inline Suggestion");
        await page.page.waitForTimeout(2_000);
      }
      if (!(await page.ghostTextContent()).includes("resolvedMessages"))
        throw new Error(`the ghost text is ${JSON.stringify(await page.ghostTextContent())}`);
      await page.screenshot("annotated");

      // suppress: Coop hides it (and says so in its log).
      const restore = await workspaceSettings.update({ "coop.detector.policy": "suppress" });
      try {
        const hiddenBefore = (await coopLog()).split("Hid a suggestion").length;
        await page.page.keyboard.press("Escape");
        for (
          let attempt = 0;
          attempt < 4 && (await coopLog()).split("Hid a suggestion").length === hiddenBefore;
          attempt++
        ) {
          await page.runCommand("Trigger Inline Suggestion");
          await waitForCoopLog(coopLog, /Hid a suggestion that uses resolvedMessages/, 10_000).catch(
            () => undefined,
          );
        }
        if ((await coopLog()).split("Hid a suggestion").length === hiddenBefore)
          throw new Error("Coop's log never says it hid the suggestion");
        if ((await page.ghostText.count()) > 0)
          throw new Error(`ghost text shows under suppress: ${await page.ghostTextContent()}`);
        await page.screenshot("suppressed");
      } finally {
        await restore();
      }
    },
  },
];
