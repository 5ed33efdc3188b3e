import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { viewport } from "../harness/browser.js";
import { CodeServer } from "../../../tools/editor/codeServer.js";
import type { EditorTools } from "../../../tools/editor/editorTools.js";
import type { InstalledExtension } from "../../../tools/editor/extensionInstall.js";
import type { RunFolder } from "../../../tools/editor/runFolder.js";
import { createWorkspace } from "../harness/workspaceFixture.js";
import { reportEnvVariable, type ExtensionTestReport } from "./report.js";
import { extensionHostWorkspace } from "./workspaceFixture.js";

export interface ExtensionTestRun {
  editor: string;
  exitCode: number;
  tests: ExtensionTestReport["tests"];
}

export interface CodeServerTestOptions {
  tools: EditorTools;
  run: RunFolder;
  extension: InstalledExtension;
  browser: Browser;
  /** The bundled run() entry (bundleSuite.ts). */
  testsIndex: string;
  timeoutMs?: number;
}

/**
 * Runs the extension-host suite inside code-server, as @vscode/test-electron would inside desktop VS
 * Code: code-server's smoke-test driver reads extensionDevelopmentPath, extensionTestsPath and
 * extensionEnvironment from the workbench URL's `payload`, runs the tests in its extension host and
 * reports the exit code through window.codeAutomationExit, which must exist before the page loads.
 */
export async function runExtensionTestsInCodeServer(
  options: CodeServerTestOptions,
): Promise<ExtensionTestRun> {
  const session = await options.run.folder("extension-host");
  const workspace = await createWorkspace(join(session, "workspace"), extensionHostWorkspace);
  const reportPath = join(session, "report.json");
  const server = await CodeServer.start({
    tools: options.tools,
    run: options.run,
    name: "extension-host",
    workspace,
    extensionsDir: options.extension.extensionsDir,
    trustWorkspace: true,
    smokeTestDriver: true,
  });
  const page = await options.browser.newPage({ viewport });
  const workbenchLog: string[] = [];
  try {
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction("codeAutomationExit", (code: number) => resolve(code));
    });
    await page.exposeFunction("codeAutomationLog", (level: string, args: unknown[]) => {
      workbenchLog.push(
        `[${level}] ${args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ")}`,
      );
    });
    await page.goto(
      server.workbenchUrl([
        ["extensionDevelopmentPath", server.remoteUri(options.extension.extensionDir)],
        ["extensionTestsPath", server.remoteUri(options.testsIndex)],
        ["extensionEnvironment", JSON.stringify({ [reportEnvVariable]: reportPath })],
      ]),
    );
    const timeoutMs = options.timeoutMs ?? 15 * 60_000;
    let timer: NodeJS.Timeout | undefined;
    const exitCode = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`the extension-host tests did not finish within ${timeoutMs / 60_000} minutes`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const report = await readFile(reportPath, "utf8").then(
      (text) => JSON.parse(text) as ExtensionTestReport,
      () => undefined,
    );
    if (!report) {
      throw new Error(
        `the extension-host tests exited with ${exitCode} without a report (they did not load?)\n` +
          `${workbenchLog
            .filter((line) => /^\[(error|warn)/.test(line))
            .slice(-20)
            .join("\n")}\n${server.log.slice(-2000)}`,
      );
    }
    return { editor: options.tools.description, exitCode, tests: report.tests };
  } finally {
    await page.close().catch(() => undefined);
    await server.stop();
  }
}
