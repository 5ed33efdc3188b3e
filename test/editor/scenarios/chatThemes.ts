import type { Frame } from "playwright-core";
import type { EditorPage } from "../harness/editorPage.js";
import { chatFrame } from "../harness/chatFrame.js";
import type { Scenario } from "../harness/scenario.js";

const files = {
  "themes/cart.ts":
    "export interface CartLine {\n  price: number;\n  quantity: number;\n}\n\nexport function cartTotal(lines: CartLine[]): number {\n  return lines.reduce((sum, line) => sum + line.price * line.quantity, 0);\n}\n",
};

/** The test id of the element that has the focus inside the chat page. */
function focused(frame: Frame): Promise<string | undefined> {
  return frame.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid);
}

/** The themes by their labels in Preferences: Color Theme; dark first, so each switch changes the class. */
const themes = [
  { label: "Dark Modern", bodyClass: "vscode-dark", name: "dark" },
  { label: "Light Modern", bodyClass: "vscode-light", name: "light" },
  { label: "Dark High Contrast", bodyClass: "vscode-high-contrast", name: "high-contrast" },
];

/** The theme the Color Theme picker has selected when it opens: the current one. */
async function currentTheme(page: EditorPage): Promise<string> {
  await page.runCommand("Preferences: Color Theme");
  const row = page.page.locator(".quick-input-list .monaco-list-row.focused .label-name").first();
  await row.waitFor({ timeout: 15_000 });
  const label = (await row.innerText()).trim();
  await page.page.keyboard.press("Escape");
  return label;
}

/** Picks a theme as the user does: Preferences: Color Theme, its name, Enter. */
async function pickTheme(page: EditorPage, label: string): Promise<void> {
  await page.runCommand("Preferences: Color Theme");
  await page.page.locator(".quick-input-widget input").fill(label);
  await page.page
    .locator(".quick-input-list .monaco-list-row.focused .label-name", { hasText: label })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.page.keyboard.press("Enter");
}

export const scenarios: Scenario[] = [
  {
    name: "the chat view works from the keyboard, wraps or scrolls long code, and follows the light, dark and high-contrast themes",
    session: "trusted",
    files,
    async run({ page }) {
      const original = await currentTheme(page);
      try {
        await page.openFile("themes/cart.ts");
        await page.runCommand("Coop: Open Chat");
        const frame = await chatFrame(page);
        const input = frame.locator('[data-testid="chat-input"] textarea');

        // Keyboard only: Shift+Enter starts a new line, Enter sends, Escape stops the answer.
        await input.focus();
        await page.page.keyboard.type("/code a function that formats the cart total");
        await page.page.keyboard.press("Shift+Enter");
        await page.page.keyboard.type("with the currency");
        if (!(await input.inputValue()).includes("\nwith the currency"))
          throw new Error(
            `Shift+Enter did not start a new line: ${JSON.stringify(await input.inputValue())}`,
          );
        // Focus order: the input, then the attach selector, then the composer's buttons.
        await page.page.keyboard.press("Tab");
        if ((await focused(frame)) !== "chat-attach")
          throw new Error(`Tab from the input went to ${await focused(frame)}, not the attach selector`);
        await page.page.keyboard.press("Shift+Tab");
        if ((await focused(frame)) !== "chat-input")
          throw new Error(`Shift+Tab went to ${await focused(frame)}, not back to the input`);
        // Counted, not .last(): the workspace's chat history keeps earlier scenarios' entries.
        const userEntries = frame.locator('[data-testid="chat-entry"][data-role="user"]');
        const answers = frame.locator('[data-testid="chat-entry"][data-role="assistant"]');
        const questionsBefore = await userEntries.count();
        const answersBefore = await answers.count();
        await page.page.keyboard.press("Enter");
        const answer = answers.nth(answersBefore);
        await answer.waitFor({ timeout: 30_000 });
        const question = userEntries.nth(questionsBefore);
        if (!(await question.innerText()).includes("with the currency"))
          throw new Error("Enter did not send both lines of the question");
        await answer.locator('[data-testid="code-block"][data-closed="true"]').waitFor({ timeout: 120_000 });
        await answer.and(frame.locator('[data-streaming="false"]')).waitFor({ timeout: 120_000 });

        // Long code lines scroll sideways in the block (which takes the focus), or wrap by the toggle.
        const code = answer.locator('[data-testid="code-block"] pre').first();
        const overflow = () =>
          code.evaluate((node) => ({ scroll: node.scrollWidth, client: node.clientWidth }));
        const scrolled = await overflow();
        if (scrolled.scroll <= scrolled.client)
          throw new Error(`the code block has no line longer than the view: ${JSON.stringify(scrolled)}`);
        if ((await code.getAttribute("tabindex")) !== "0") throw new Error("the code block takes no focus");
        await code.focus();
        await page.page.keyboard.press("End");
        await page.screenshot("code-scrolls");
        await frame.locator('[data-testid="chat-wrap-code"]').click();
        await frame.waitForFunction(() =>
          document.querySelector(".chat-app")?.classList.contains("wrap-code"),
        );
        const wrapped = await overflow();
        if (wrapped.scroll > wrapped.client + 1)
          throw new Error(`wrapped code still overflows: ${JSON.stringify(wrapped)}`);
        if ((await frame.locator('[data-testid="chat-wrap-code"]').getAttribute("aria-pressed")) !== "true")
          throw new Error("the Wrap toggle does not say it is pressed");
        await page.screenshot("code-wraps");

        // A second question, stopped with Escape while it streams.
        await input.focus();
        await page.page.keyboard.type("How is the cart total computed?");
        const stoppedAnswer = answers.nth(await answers.count());
        await page.page.keyboard.press("Enter");
        await stoppedAnswer.and(frame.locator('[data-streaming="true"]')).waitFor({ timeout: 60_000 });
        await page.page.keyboard.press("Escape");
        await stoppedAnswer.and(frame.locator('[data-stop-reason="aborted"]')).waitFor({ timeout: 30_000 });

        // The themes: the view's colours come from the editor's theme.
        const backgrounds = new Set<string>();
        for (const theme of themes) {
          await pickTheme(page, theme.label);
          await frame.waitForFunction((name) => document.body.classList.contains(name), theme.bodyClass, {
            timeout: 30_000,
          });
          const colors = await frame.evaluate(() => {
            const style = getComputedStyle(document.body);
            return `${style.backgroundColor} ${style.color}`;
          });
          backgrounds.add(colors);
          await page.screenshot(`chat-${theme.name}`);
        }
        if (backgrounds.size !== themes.length)
          throw new Error(`the view's colours did not follow each theme: ${[...backgrounds].join(" | ")}`);
      } finally {
        await pickTheme(page, original);
      }
    },
  },
];
