import { join } from "node:path";
import type { Browser } from "playwright-core";
import { viewport } from "./browser.js";
import { CodeServer } from "../../../tools/editor/codeServer.js";
import { readCoopLog } from "./coopLog.js";
import type { EditorMetrics } from "./editorBenchResults.js";
import { EditorPage } from "./editorPage.js";
import type { EditorTools } from "../../../tools/editor/editorTools.js";
import type { InstalledExtension } from "../../../tools/editor/extensionInstall.js";
import type { RunFolder } from "../../../tools/editor/runFolder.js";
import type { Scenario, SessionName } from "./scenario.js";
import { SettingsFile } from "../../../tools/editor/settingsFile.js";
import { createWorkspace, mergeWorkspaceFiles, type WorkspaceFiles } from "./workspaceFixture.js";

export interface ScenarioResult {
  name: string;
  /** Where it ran: a session, or the editor of its own a check starts (`npm start`). */
  session: SessionName | "npm start";
  passed: boolean;
  ms: number;
  error?: string;
}

export interface UiSessionOptions {
  session: SessionName;
  scenarios: Scenario[];
  tools: EditorTools;
  run: RunFolder;
  extension: InstalledExtension;
  browser: Browser;
  /** Screenshots of each step go here. */
  screenshotsDir: string;
  /** Filled by scenarios that measure something. */
  metrics: EditorMetrics;
}

/**
 * Runs a session's scenarios in one code-server and one browser page, one after the other, each
 * from a window with no editor open. A failing scenario is reported (with a screenshot) and the
 * next one still runs.
 */
export async function runUiSession(options: UiSessionOptions): Promise<ScenarioResult[]> {
  const { session, scenarios } = options;
  const results: ScenarioResult[] = [];
  const failAll = (error: unknown): ScenarioResult[] => {
    for (const scenario of scenarios) {
      results.push({
        name: scenario.name,
        session,
        passed: false,
        ms: 0,
        error: `the ${session} session failed: ${describe(error)}`,
      });
      report(results.at(-1)!);
    }
    return results;
  };

  let server: CodeServer;
  let workspace: string;
  try {
    workspace = join(await options.run.folder(session), "workspace");
    let files: WorkspaceFiles = {};
    for (const scenario of scenarios) {
      const own = typeof scenario.files === "function" ? scenario.files(workspace) : (scenario.files ?? {});
      files = mergeWorkspaceFiles(files, own, `the scenario "${scenario.name}"`);
    }
    await createWorkspace(workspace, files);
    server = await CodeServer.start({
      tools: options.tools,
      run: options.run,
      name: session,
      workspace,
      extensionsDir: options.extension.extensionsDir,
      trustWorkspace: session === "trusted",
    });
  } catch (error) {
    return failAll(error);
  }
  const page = await options.browser.newPage({ viewport });
  try {
    const startPage = new EditorPage(page, { dir: options.screenshotsDir, prefix: `${session}-00-start` });
    try {
      // Coop's log at debug level: the latency scenario reads each completion's stages from it.
      await startPage.load(server.workbenchUrl([["logLevel", "coop.coop:debug"]]));
      if (session === "untrusted") await declineWorkspaceTrust(startPage);
      await startPage.waitForCoop();
    } catch (error) {
      await startPage.screenshot("failed").catch(() => undefined);
      return failAll(`${describe(error)}\n${server.log.slice(-2000)}`);
    }
    for (const [index, scenario] of scenarios.entries()) {
      const editor = new EditorPage(page, {
        dir: options.screenshotsDir,
        prefix: `${session}-${String(index + 1).padStart(2, "0")}-${slug(scenario.name)}`,
      });
      const started = Date.now();
      try {
        if (index > 0) await editor.closeAllEditors();
        await scenario.run({
          page: editor,
          workspace,
          scratch: await options.run.folder(join(session, "scratch", String(index + 1))),
          userSettings: server.userSettings,
          machineSettings: server.machineSettings,
          workspaceSettings: new SettingsFile(join(workspace, ".vscode", "settings.json")),
          metrics: options.metrics,
          coopLog: () => readCoopLog(server.userDataDir),
        });
        results.push({ name: scenario.name, session, passed: true, ms: Date.now() - started });
      } catch (error) {
        await editor.screenshot("failed").catch(() => undefined);
        results.push({
          name: scenario.name,
          session,
          passed: false,
          ms: Date.now() - started,
          error: describe(error),
        });
      }
      report(results.at(-1)!);
    }
  } finally {
    await page.close().catch(() => undefined);
    await server.stop();
  }
  return results;
}

/**
 * The workspace must open untrusted: answers the Workspace Trust prompt with "No" when the editor
 * asks (code-server 4.139 opens an untrusted folder in Restricted Mode without asking), and waits
 * for Restricted Mode.
 */
async function declineWorkspaceTrust(editor: EditorPage): Promise<void> {
  const decline = editor.page.locator(".monaco-dialog-box .monaco-button", { hasText: /No, I don.t trust/ });
  const restricted = editor.statusBarItem(/Restricted Mode/);
  await decline.or(restricted).first().waitFor({ timeout: 60_000 });
  if (await decline.isVisible()) {
    await editor.screenshot("trust-prompt");
    await decline.click();
  }
  await restricted.waitFor({ timeout: 30_000 });
}

export function report(result: ScenarioResult): void {
  const line = result.passed
    ? `✔ [${result.session}] ${result.name} (${result.ms} ms)`
    : `✖ [${result.session}] ${result.name}: ${result.error}`;
  console.log(line);
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
