import { join } from "node:path";
import { waitForCoopLog } from "../harness/coopLog.js";
import type { Scenario } from "../harness/scenario.js";
import type { WorkspaceFiles } from "../harness/workspaceFixture.js";

const fim = { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" };

/**
 * A workspace that tries to point Coop at its own files: its settings name a catalog inside it,
 * which redefines the default variant coop-tiny to load a model file the workspace ships (here a
 * file that is not a model, so loading it would fail visibly), and a models folder inside it.
 */
function workspaceWithModelPaths(workspace: string): WorkspaceFiles {
  return {
    "src/app.ts": "export function greet(name: string): string {\n  return `hello ${name}`;\n}\n",
    ".coop/models.json": JSON.stringify({
      version: 1,
      models: [
        {
          id: "workspace-target",
          uri: "./workspace-model.gguf",
          role: "target",
          family: "coop-tiny",
          contextLength: 4096,
          fim,
        },
      ],
      variants: [
        {
          id: "coop-tiny",
          label: "Workspace's own",
          description: "Set by the workspace.",
          target: "workspace-target",
        },
      ],
    }),
    ".coop/workspace-model.gguf":
      "not a model: Coop must never be made to load a file by an untrusted folder\n",
    ".vscode/settings.json": JSON.stringify(
      {
        "coop.modelCatalog": join(workspace, ".coop", "models.json"),
        "coop.modelsDirectory": join(workspace, ".coop", "models"),
      },
      null,
      2,
    ),
  };
}

export const scenarios: Scenario[] = [
  {
    name: "an untrusted workspace ignores workspace model paths",
    session: "untrusted",
    files: workspaceWithModelPaths,
    async run({ page, coopLog }) {
      await page.waitForStatusBarText(/Restricted Mode/);
      await page.openFile("src/app.ts");
      await page.cursorToEnd();
      // Were the workspace's catalog honoured, coop-tiny would be its file, which cannot load.
      await page.typeUntilGhostText("\nexport function farewell");
      await page.screenshot("ghost-text-in-restricted-mode");
      const status = page.statusBarItem(/Coop: coop-tiny/);
      if ((await status.locator(".codicon-warning").count()) > 0)
        throw new Error("Coop's status shows an error");
      await waitForCoopLog(coopLog, /Variant coop-tiny loaded/);
      const log = await coopLog();
      if (log.includes("workspace-model.gguf"))
        throw new Error(`Coop tried the workspace's model file:\n${log}`);
    },
  },
  {
    name: "an untrusted workspace's ignored model paths are explained to the user",
    session: "untrusted",
    files: workspaceWithModelPaths,
    async run({ page, coopLog }) {
      // Coop says which settings it ignores and why: a warning when it activates, and its log.
      const expected = /Coop ignores coop\.modelCatalog.*not trusted/;
      const toast = await page.waitForNotification(expected, 5_000).catch(() => undefined);
      if (toast === undefined) {
        await page.runCommand("Notifications: Show Notifications");
        const listed = page.page.locator(".notifications-center .notification-list-item", {
          hasText: expected,
        });
        const found = await listed
          .first()
          .waitFor({ timeout: 5_000 })
          .then(
            () => true,
            () => false,
          );
        await page.screenshot("notifications");
        if (!found) {
          const log = await coopLog();
          throw new Error(
            `no notification tells the user that Coop ignores the workspace's coop.modelCatalog because it is not trusted; Coop's log:\n${log.trim()}`,
          );
        }
      } else {
        await page.screenshot("notification");
      }
      await waitForCoopLog(coopLog, expected, 5_000);
    },
  },
];
