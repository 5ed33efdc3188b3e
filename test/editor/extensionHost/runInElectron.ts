import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { download, runTests, SilentReporter } from "@vscode/test-electron";
import { coopCacheDir } from "../../support/cacheDir.js";
import type { RunFolder } from "../../../tools/editor/runFolder.js";
import { createWorkspace } from "../harness/workspaceFixture.js";
import { reportEnvVariable, type ExtensionTestReport } from "./report.js";
import type { ExtensionTestRun } from "./runInCodeServer.js";
import { extensionHostWorkspace } from "./workspaceFixture.js";

/** Where downloaded VS Code builds are kept between runs (outside the repo). */
const vscodeCache = join(coopCacheDir(), "vscode-test");

export type DesktopVsCode = { available: true; executable: string } | { available: false; reason: string };

/**
 * Downloads (or finds in the cache) a desktop VS Code for @vscode/test-electron. Gives up quickly
 * where the update server cannot be reached, as on machines with only a package registry.
 */
export async function desktopVsCode(version: string, timeoutMs = 20_000): Promise<DesktopVsCode> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const executable = await Promise.race([
      download({ version, cachePath: vscodeCache, timeout: timeoutMs, reporter: new SilentReporter() }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from the VS Code update server within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    if (process.platform === "linux" && !process.env.DISPLAY)
      return {
        available: false,
        reason: "VS Code was downloaded but there is no display (run under xvfb-run)",
      };
    return { available: true, executable };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export interface ElectronTestOptions {
  run: RunFolder;
  version: string;
  executable: string;
  extensionDir: string;
  testsIndex: string;
}

/** Runs the extension-host suite in desktop VS Code through @vscode/test-electron's runTests. */
export async function runExtensionTestsInElectron(options: ElectronTestOptions): Promise<ExtensionTestRun> {
  const session = await options.run.folder(`vscode-${options.version}`);
  const workspace = await createWorkspace(join(session, "workspace"), extensionHostWorkspace);
  const reportPath = join(session, "report.json");
  const exitCode = await runTests({
    vscodeExecutablePath: options.executable,
    extensionDevelopmentPath: options.extensionDir,
    extensionTestsPath: options.testsIndex,
    extensionTestsEnv: { [reportEnvVariable]: reportPath, COOP_CACHE_DIR: coopCacheDir() },
    launchArgs: [
      workspace,
      "--disable-workspace-trust",
      "--user-data-dir",
      join(session, "user-data"),
      "--extensions-dir",
      join(session, "extensions"),
    ],
  }).catch((error: unknown) => {
    // runTests rejects when VS Code exits non-zero, which failing tests do: the report tells which.
    const code = (error as { code?: number }).code;
    if (typeof code === "number") return code;
    throw error;
  });
  const report = JSON.parse(await readFile(reportPath, "utf8")) as ExtensionTestReport;
  return { editor: `VS Code ${options.version}`, exitCode, tests: report.tests };
}
