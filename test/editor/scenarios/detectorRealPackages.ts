import { symlink } from "node:fs/promises";
import { join } from "node:path";
import type { EditorPage } from "../harness/editorPage.js";
import type { Scenario } from "../harness/scenario.js";
import { useScriptedVariant } from "../harness/scriptedVllmServer.js";
import { repoRoot } from "../../support/repoRoot.js";

/**
 * An express + zod project (the packages and their types come from the repository's node_modules,
 * linked in as a pnpm-style layout would). Its suggestions come from a scripted vLLM-protocol server
 * standing in for a model, so the scenario knows what the model writes where; what it checks is the
 * detector's verdict on real packages' APIs, in the real editor.
 */
const orders = [
  'import express, { type Request, type Response } from "express";',
  'import { z } from "zod";',
  "",
  "export const app = express();",
  "",
  "const Order = z.object({ id: z.string(), email: z.string() });",
  "",
  'app.get("/orders/:id", (req: Request, res: Response) => {',
  "  const id = ",
  "});",
  "",
  'app.post("/orders", (req: Request, res: Response) => {',
  "  const order = ",
  "});",
  "",
].join("\n");

const files = {
  "package.json": JSON.stringify(
    { name: "orders-api", private: true, type: "module", dependencies: { express: "^5.1.0", zod: "^4.0.0" } },
    null,
    2,
  ),
  "tsconfig.json": JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: true,
      },
      include: ["src"],
    },
    null,
    2,
  ),
  "src/orders.ts": orders,
};

/** What the scripted model writes, by the line the cursor is on (the end of the FIM prompt's prefix). */
function scriptedAnswer(prompt: string): string | undefined {
  if (prompt.includes("const id = <|fim_suffix|>")) return 'req.params.id;\n  res.set("x-order", id);';
  if (/const order = *<\|fim_suffix\|>/.test(prompt)) return "Order.emailAddress(req.body);";
  return undefined;
}

async function suggestionAt(page: EditorPage, lineColumn: string, expected: string): Promise<void> {
  await page.runCommand("Go to Line/Column...");
  await page.page.keyboard.type(lineColumn);
  await page.page.keyboard.press("Enter");
  for (let attempt = 0; attempt < 6 && !(await page.ghostTextContent()).includes(expected); attempt++) {
    await page.runCommand("Trigger Inline Suggestion");
    await page.ghostText
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(() => undefined);
  }
  const shown = await page.ghostTextContent();
  if (!shown.includes(expected))
    throw new Error(`the ghost text is ${JSON.stringify(shown)}, not ${expected}`);
}

export const scenarios: Scenario[] = [
  {
    name: "on real packages the detector passes req.params in an express handler and annotates a member a zod schema lacks",
    session: "trusted",
    files,
    async run({ page, workspace, scratch, machineSettings, workspaceSettings }) {
      await symlink(join(repoRoot, "node_modules"), join(workspace, "node_modules"), "dir");
      const scripted = await useScriptedVariant(
        { scratch, machineSettings, workspaceSettings },
        scriptedAnswer,
        // The verdict is what is checked here, not its latency (the detector bench measures that): the
        // compiler gets time enough on a loaded machine.
        { "coop.detector.policy": "annotate", "coop.detector.compilerBudgetMs": 5000 },
      );
      try {
        await page.waitForStatusBarText(/Coop: scripted-vllm/, 30_000);
        await page.openFile("src/orders.ts");
        // A verdict on an earlier scenario's suggestion stays in the status bar for 8 s: let it go first,
        // so what is seen below is about this suggestion.
        await page.statusBarItem(/Coop: the suggestion uses/).waitFor({ state: "hidden", timeout: 15_000 });

        await suggestionAt(page, "9:14", "req.params.id");
        // The detector's verdict shows in the status bar within moments of the ghost text; none comes.
        await page.page.waitForTimeout(3_000);
        if ((await page.statusBarItem(/Coop: the suggestion uses/).count()) > 0)
          throw new Error(
            `a correct express handler was flagged: ${await page.statusBarItem(/Coop: the suggestion uses/).innerText()}`,
          );
        await page.screenshot("express-no-warning");
        await page.page.keyboard.press("Escape");

        // Until the compiler's project is warm (seconds after the workspace opens) the fast checker
        // judges, and it cannot type a zod schema: ask again, with one more space after the cursor
        // (a new request, not the answer cached for the last one), until the compiler has spoken.
        const annotation = /Coop: the suggestion uses emailAddress/;
        for (let attempt = 0; ; attempt++) {
          await suggestionAt(page, "13:17", "Order.emailAddress");
          const shown = await page
            .statusBarItem(annotation)
            .waitFor({ timeout: 10_000 })
            .then(
              () => true,
              () => false,
            );
          if (shown) break;
          if (attempt === 5) await page.waitForStatusBarText(annotation, 1);
          await page.page.keyboard.press("Escape");
          await page.page.keyboard.type(" ");
        }
        await page.screenshot("zod-unknown-member");
        await page.page.keyboard.press("Escape");
      } finally {
        await scripted.restore();
      }
    },
  },
];
