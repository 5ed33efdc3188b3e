import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Frame, Locator } from "playwright-core";
import { chatFrame } from "../harness/chatFrame.js";
import type { Scenario } from "../harness/scenario.js";
import { waitForFile } from "../harness/waitForFile.js";

const files = {
  "src/config.ts": [
    'import { readFile } from "node:fs/promises";',
    "",
    "export interface ShopConfig {",
    "  currency: string;",
    "  taxRate: number;",
    "}",
    "",
    "/** Reads the shop's JSON config file. */",
    "export async function readShopConfig(path: string): Promise<ShopConfig> {",
    '  return JSON.parse(await readFile(path, "utf8")) as ShopConfig;',
    "}",
    "",
  ].join("\n"),
  "src/weather.ts":
    "export function forecastRain(days: number): string {\n  return `rain within ${days} days`;\n}\n",
  "src/app.ts":
    'import { readShopConfig } from "./config.js";\n\nconst config = await readShopConfig("shop.json");\n',
};

async function ask(frame: Frame, question: string): Promise<void> {
  const input = frame.locator('[data-testid="chat-input"] textarea');
  await input.click();
  await input.fill(question);
  await input.press("Enter");
}

function lastAnswer(frame: Frame): Locator {
  return frame.locator('[data-testid="chat-entry"][data-role="assistant"]').last();
}

export const scenarios: Scenario[] = [
  {
    name: "the chat streams an answer with its sources, Stop interrupts it, a source opens its file, /code inserts and applies code",
    session: "trusted",
    files,
    async run({ page, workspace }) {
      await page.openFile("src/app.ts");
      await page.cursorToEnd();
      await page.runCommand("Coop: Open Chat");
      const frame = await chatFrame(page);
      await page.screenshot("chat-open");

      // A question: the answer streams (the first one also starts the engine and loads the variant).
      await ask(frame, "How does readShopConfig read the shop config file?");
      const answer = lastAnswer(frame);
      await answer.locator('[data-testid="source-link"]').first().waitFor({ timeout: 120_000 });
      const sources = await answer.locator('[data-testid="source-link"]').allTextContents();
      if (!sources.some((source) => source.includes("src/config.ts")))
        throw new Error(`the sources do not list src/config.ts: ${sources.join(", ")}`);
      await frame.waitForFunction(
        () => {
          const entries = document.querySelectorAll('[data-testid="chat-entry"][data-role="assistant"]');
          const last = entries[entries.length - 1] as HTMLElement | undefined;
          return (
            last?.dataset.streaming === "true" &&
            (last.querySelector(".md-block")?.textContent ?? "").trim().length > 20
          );
        },
        undefined,
        { timeout: 120_000 },
      );
      await page.screenshot("chat-streaming");

      // Stop: the answer ends where it was, marked as stopped.
      await frame.locator('[data-testid="chat-stop"]').click();
      await frame
        .locator('[data-testid="chat-entry"][data-role="assistant"][data-stop-reason="aborted"]')
        .waitFor({ timeout: 30_000 });
      await page.screenshot("chat-stopped");

      // A source opens its file at its lines.
      await answer.locator('[data-testid="source-link"]', { hasText: "src/config.ts" }).first().click();
      await page.page.locator('.tab.active[data-resource-name="config.ts"]').waitFor({ timeout: 30_000 });
      await page.screenshot("chat-source-opened");

      // /code answers with one code block; Insert puts it at the cursor of the editor last used.
      await page.openFile("src/app.ts");
      await page.cursorToEnd();
      await page.page.keyboard.press("Enter");
      await ask(frame, "/code a function that prints the tax rate of the config");
      const codeBlock = lastAnswer(frame).locator('[data-testid="code-block"][data-closed="true"]').first();
      await frame
        .locator('[data-testid="chat-entry"][data-role="assistant"][data-streaming="false"]')
        .last()
        .waitFor({ timeout: 120_000 });
      await codeBlock.waitFor({ timeout: 30_000 });
      const code = (await codeBlock.locator("pre code").textContent()) ?? "";
      const firstLine = code
        .split("\n")
        .find((line) => line.trim() !== "")
        ?.trim();
      if (!firstLine) throw new Error("the /code answer's code block is empty");
      await page.screenshot("chat-code-answer");
      await codeBlock.locator('[data-testid="code-insert"]').click();
      await page.page.locator('.tab.active[data-resource-name="app.ts"]').waitFor({ timeout: 30_000 });
      await page.save();
      const afterInsert = await waitForFile(join(workspace, "src", "app.ts"), (text) =>
        text.includes(firstLine),
      );
      await page.screenshot("chat-code-inserted");

      // Apply shows the change as a diff first; Coop: Apply Proposal writes it.
      await codeBlock.locator('[data-testid="code-apply"]').click();
      await page.page.locator(".tab.active", { hasText: /Coop's proposal/ }).waitFor({ timeout: 30_000 });
      await page.screenshot("chat-code-diff");
      await page.runCommand("Coop: Apply Proposal");
      await page.page.locator('.tab.active[data-resource-name="app.ts"]').waitFor({ timeout: 30_000 });
      await page.save();
      await waitForFile(
        join(workspace, "src", "app.ts"),
        (text) => text.split(firstLine).length > afterInsert.split(firstLine).length,
      );
      await page.screenshot("chat-code-applied");
      if ((await readFile(join(workspace, "src", "config.ts"), "utf8")) !== files["src/config.ts"])
        throw new Error("opening a source changed its file");
    },
  },
];
