import type { EditorPage } from "../harness/editorPage.js";
import { chatFrame } from "../harness/chatFrame.js";
import type { Scenario } from "../harness/scenario.js";

const title = "Get Started with Coop";
const steps = {
  variant: "Choose a model variant",
  download: "Download it, or stay on the embedded one",
  completion: "Accept a completion",
  chat: "Ask the chat",
};

async function openWalkthrough(page: EditorPage): Promise<void> {
  await page.runCommand("Welcome: Open Walkthrough...");
  await page.pickQuickItem(title);
  await page.page
    .locator(".gettingStartedContainer", { hasText: title })
    .first()
    .waitFor({ timeout: 30_000 });
}

/** A step of the walkthrough, by its title. */
function step(page: EditorPage, name: string) {
  return page.page.locator(".gettingStartedContainer .getting-started-step", { hasText: name }).first();
}

/** Expands a step and clicks one of its buttons (the command links of its description). */
async function clickStepButton(page: EditorPage, name: string, button: string): Promise<void> {
  await step(page, name).click();
  await step(page, name).locator(".monaco-button, a", { hasText: button }).first().click();
}

/** A done step shows its checked codicon (`.codicon.complete`) instead of the empty circle. */
function doneMark(page: EditorPage, name: string) {
  return step(page, name).locator(".codicon.complete");
}

/** Waits until a step shows done. */
async function waitDone(page: EditorPage, name: string): Promise<void> {
  await doneMark(page, name).waitFor({ timeout: 30_000 });
}

export const scenarios: Scenario[] = [
  {
    name: "the Get Started walkthrough: each step completes by doing it (variant, embedded models, a completion, a chat question)",
    session: "trusted",
    async run({ page, workspaceSettings }) {
      const before = await workspaceSettings.read();
      // Selecting a step moves the focus to it 250 ms later when motion is animated: a quick pick or an
      // editor its button opened by then loses the focus (and the quick pick closes). A person does not
      // click that fast, the scenario does: it runs as a user who prefers reduced motion, for whom the
      // focus moves at once.
      await page.page.emulateMedia({ reducedMotion: "reduce" });
      try {
        await page.page.locator(".monaco-workbench.monaco-reduce-motion").waitFor({ timeout: 15_000 });
        // Other scenarios in this window accepted suggestions, chose variants and asked the chat: each
        // step starts open again, so each has to tick by what this scenario does.
        await page.runCommand("Developer: Reset Welcome Page Walkthrough Progress");
        await openWalkthrough(page);
        for (const name of Object.values(steps)) await step(page, name).waitFor({ timeout: 15_000 });
        await page.screenshot("walkthrough");
        for (const name of Object.values(steps)) {
          if ((await doneMark(page, name).count()) > 0) {
            throw new Error(`the step "${name}" shows done after the progress reset, before it was done`);
          }
        }

        // Choose a variant: the swap quick pick, and a choice.
        await clickStepButton(page, steps.variant, "Choose a Variant");
        // Keep the active variant: it is the focused row (its details still settle, so no click).
        await page.page
          .locator(".quick-input-list .monaco-list-row.focused", { hasText: /coop-tiny \(active\)/ })
          .waitFor({ timeout: 30_000 });
        await page.page.keyboard.press("Enter");
        await waitDone(page, steps.variant);

        // Stay on the embedded variant.
        await clickStepButton(page, steps.download, "Stay on coop-tiny");
        await waitDone(page, steps.download);
        await page.screenshot("variant-steps-done");

        // A sample file, a suggestion, Tab.
        await clickStepButton(page, steps.completion, "Open a Sample File");
        await page.page.locator('.tab.active[data-resource-name="try-coop.ts"]').waitFor({ timeout: 30_000 });
        await page.page
          .locator(".editor-group-container .monaco-editor.focused")
          .first()
          .waitFor({ timeout: 30_000 });
        await page.cursorToEnd();
        await page.typeUntilGhostText("const ", { timeoutMs: 60_000 });
        await page.page.keyboard.press("Tab");

        // A question in the chat.
        await page.runCommand("Coop: Open Chat");
        const frame = await chatFrame(page);
        const input = frame.locator('[data-testid="chat-input"] textarea');
        await input.click();
        await input.fill("What does cartTotal return?");
        await input.press("Enter");
        await frame
          .locator('[data-testid="chat-entry"][data-role="assistant"]')
          .last()
          .waitFor({ timeout: 60_000 });

        await openWalkthrough(page);
        await waitDone(page, steps.completion);
        await waitDone(page, steps.chat);
        await page.screenshot("all-steps-done");
      } finally {
        await page.page.emulateMedia({ reducedMotion: null });
        await workspaceSettings.write(before);
      }
    },
  },
];
