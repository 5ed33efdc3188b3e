// `npm start` (scripts/start.mjs), checked as a user meets it on a machine without desktop VS Code:
// it finds no VS Code, starts code-server on the sample workspace and prints the URL; the workbench at
// that URL shows the sample and Coop on coop-tiny, and completes code; Ctrl+C stops code-server's whole
// process group. Before that, the desktop VS Code detection is checked against fake `code` launchers.
import { spawn, type ChildProcess } from "node:child_process";
import { access, chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { delimiter, join, relative } from "node:path";
import type { Browser } from "playwright-core";
import { repoRoot } from "../support/repoRoot.js";
import { viewport } from "./harness/browser.js";
import { quietEditorSettings } from "../../tools/editor/codeServer.js";
import { readCoopLog, waitForCoopLog } from "./harness/coopLog.js";
import { minimumVsCodeVersion } from "../../tools/editor/coopManifest.js";
import { EditorPage } from "./harness/editorPage.js";
import { findInstalledVsCode } from "../../tools/editor/installedVsCode.js";
import { liveProcessesOfGroup, processTable } from "./harness/processTable.js";
import type { RunFolder } from "../../tools/editor/runFolder.js";
import { SettingsFile } from "../../tools/editor/settingsFile.js";
import { report, type ScenarioResult } from "./harness/uiSession.js";

export const npmStartCheckName =
  "npm start opens Coop on the sample workspace in code-server when no desktop VS Code is found, and Ctrl+C stops it";

const startScript = join(repoRoot, "scripts", "start.mjs");
const sampleWorkspace = join(repoRoot, "sample");

export interface NpmStartCheckOptions {
  run: RunFolder;
  browser: Browser;
  screenshotsDir: string;
}

export async function checkNpmStart(options: NpmStartCheckOptions): Promise<ScenarioResult> {
  const started = Date.now();
  let result: ScenarioResult;
  try {
    await checkVsCodeDetection(await options.run.folder("npm-start/fake-vscode"));
    await checkCodeServerSession(options);
    result = { name: npmStartCheckName, session: "npm start", passed: true, ms: Date.now() - started };
  } catch (error) {
    result = {
      name: npmStartCheckName,
      session: "npm start",
      passed: false,
      ms: Date.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  report(result);
  return result;
}

/** The detection that decides between desktop VS Code and code-server, against fake launchers. */
async function checkVsCodeDetection(folder: string): Promise<void> {
  const minimumVersion = minimumVsCodeVersion();
  const current = await fakeCodeLauncher(join(folder, "current"), "1.139.1");
  await fakeCodeLauncher(join(folder, "old"), "1.80.0");
  const search = (env: NodeJS.ProcessEnv, locations: string[] = []) =>
    findInstalledVsCode({ minimumVersion, env, platform: "linux", locations });

  const onPath = await search({ PATH: join(folder, "current"), DISPLAY: ":0" });
  if (!onPath.found || onPath.cli !== current || onPath.version !== "1.139.1")
    throw new Error(`a \`code\` on PATH was not found: ${JSON.stringify(onPath)}`);
  const installed = await search({ PATH: "", DISPLAY: ":0" }, [join(folder, "missing", "code"), current]);
  if (!installed.found || installed.cli !== current)
    throw new Error(`VS Code in an install location was not found: ${JSON.stringify(installed)}`);
  const none = await search({ PATH: join(folder, "missing"), DISPLAY: ":0" });
  if (none.found || !none.reason.includes("no `code` on PATH"))
    throw new Error(`without a \`code\`, the detection should say so: ${JSON.stringify(none)}`);
  const tooOld = await search({ PATH: join(folder, "old"), DISPLAY: ":0" });
  if (tooOld.found || !tooOld.reason.includes(`older than ${minimumVersion}`))
    throw new Error(`VS Code 1.80.0 should be refused as too old: ${JSON.stringify(tooOld)}`);
  const noDisplay = await search({ PATH: join(folder, "current") });
  if (noDisplay.found || !noDisplay.reason.includes("no display"))
    throw new Error(`without a display, VS Code should not be used: ${JSON.stringify(noDisplay)}`);
}

/** A `code` that answers --version as VS Code does: version, commit, architecture. */
async function fakeCodeLauncher(folder: string, version: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, "code");
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' ${version} 0123456789abcdef x64\n`);
  await chmod(path, 0o755);
  return path;
}

async function checkCodeServerSession(options: NpmStartCheckOptions): Promise<void> {
  const sessionDir = await options.run.folder("npm-start/session");
  // The settings of an earlier session, which npm start must keep. code-server (a web VS Code) saves
  // files after a delay by default: this user turned that off, so the check's typing stays unsaved,
  // out of the repo's sample.
  const earlierSettings = { ...quietEditorSettings, "files.autoSave": "off" };
  const userSettings = new SettingsFile(
    join(sessionDir, "code-server", "user-data", "User", "settings.json"),
  );
  await userSettings.write(earlierSettings);
  const sampleBefore = await snapshot(sampleWorkspace);
  // No `code` on PATH and no display: whatever VS Code this machine has, it cannot be the editor.
  const env = options.run.env({ PATH: await pathWithout("code") });
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const start = spawn(process.execPath, [startScript, "--port", "0", "--session-dir", sessionDir], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = new ProcessOutput(start);
  let group: number | undefined;
  try {
    // The first run of a machine installs code-server (setup.sh; the runner has done it already).
    const [url] = await output.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\S*/, 10 * 60_000);
    if (
      !/No desktop VS Code to open \(no `code` on PATH.*\): opening Coop in code-server instead\./.test(
        output.text,
      )
    ) {
      throw new Error(`npm start did not say why it uses code-server:\n${output.text}`);
    }
    const [, userDataDir] = await output.waitFor(/Settings and editor state are kept in (\S+)\.\n/, 5_000);
    if (join(userDataDir!, "User", "settings.json") !== userSettings.path)
      throw new Error(`the user data ${userDataDir} is not the session's, in ${sessionDir}`);
    const processes = await processTable();
    group = processes.find((entry) => entry.parent === start.pid && entry.pid === entry.group)?.group;
    if (group === undefined)
      throw new Error(
        `npm start runs no process group of its own (code-server started with setsid):\n${output.text}`,
      );

    await checkWorkbench(options, url, userDataDir!);

    start.kill("SIGINT");
    const exitCode = await output.exited(30_000);
    if (exitCode !== 0)
      throw new Error(`npm start exited with ${exitCode} after Ctrl+C, not 0:\n${output.text.slice(-3000)}`);
    if (!output.text.includes("code-server stopped."))
      throw new Error(`npm start did not report stopping code-server:\n${output.text.slice(-2000)}`);
    await waitUntil(
      async () => (await liveProcessesOfGroup(group!)).length === 0,
      15_000,
      async () => {
        const left = await liveProcessesOfGroup(group!);
        return `code-server's process group ${group} still has ${left.length} processes after Ctrl+C: ${left.map((entry) => `${entry.pid} (${entry.state})`).join(", ")}`;
      },
    );
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      throw new Error(`${url} still answers after Ctrl+C`);

    // The session's settings persist as the user left them (npm start writes its defaults only into a new
    // session).
    const settingsAfter = await userSettings.read();
    if (JSON.stringify(settingsAfter) !== JSON.stringify(earlierSettings))
      throw new Error(`npm start changed the session's settings: ${JSON.stringify(settingsAfter)}`);
    const sampleAfter = await snapshot(sampleWorkspace);
    const changed = [...new Set([...sampleBefore.keys(), ...sampleAfter.keys()])].filter(
      (path) => sampleBefore.get(path) !== sampleAfter.get(path),
    );
    if (changed.length > 0)
      throw new Error(`npm start changed the repo's sample workspace: ${changed.join(", ")}`);
  } finally {
    if (start.exitCode === null && start.signalCode === null) start.kill("SIGKILL");
    if (group !== undefined && (await liveProcessesOfGroup(group)).length > 0) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // it ended meanwhile
      }
    }
  }
}

/** The workbench at the printed URL: the sample workspace, Coop's status on coop-tiny, and a completion. */
async function checkWorkbench(
  options: NpmStartCheckOptions,
  url: string,
  userDataDir: string,
): Promise<void> {
  const page = new EditorPage(await options.browser.newPage({ viewport }), {
    dir: options.screenshotsDir,
    prefix: "npm-start",
  });
  try {
    await page.load(url);
    await page.waitForCoop(120_000);
    await page.waitForStatusBarText(/Coop: coop-tiny/);
    const title = await page.page.title();
    if (!title.includes("sample"))
      throw new Error(`the window shows ${JSON.stringify(title)}, not the sample workspace`);
    await page.page
      .locator(".explorer-folders-view .monaco-list-row", { hasText: /^src$/ })
      .waitFor({ timeout: 30_000 });
    // The sample opens trusted: no Restricted Mode banner or status entry.
    if (await page.statusBarItem(/Restricted Mode/).isVisible())
      throw new Error("npm start opened the sample workspace in Restricted Mode");
    await page.screenshot("sample-workspace");

    await page.openFile("src/discounts.ts");
    await page.cursorToEnd();
    await page.typeUntilGhostText("\nexport function percentOffAbove(", { timeoutMs: 60_000 });
    await page.screenshot("ghost-text");
    const coopLog = () => readCoopLog(userDataDir);
    await waitForCoopLog(coopLog, /Variant coop-tiny loaded/, 60_000);
    await waitForCoopLog(coopLog, /Indexed \d+ files of sample/, 60_000);
  } catch (error) {
    await page.screenshot("failed").catch(() => undefined);
    throw error;
  } finally {
    // Closes without saving: the typing stays out of the repo's sample.
    await page.page.close().catch(() => undefined);
  }
}

/** PATH without the folders that hold the program. */
async function pathWithout(program: string): Promise<string> {
  const folders = (process.env.PATH ?? "").split(delimiter);
  const kept: string[] = [];
  for (const folder of folders) {
    if (
      !(await access(join(folder, program)).then(
        () => true,
        () => false,
      ))
    )
      kept.push(folder);
  }
  return kept.join(delimiter);
}

/** The files of a folder, by relative path, with their contents. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else files.set(relative(root, path), await readFile(path, "utf8"));
    }
  };
  await visit(root);
  return files;
}

async function waitUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  failure: () => Promise<string>,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(await failure());
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What a child process printed (stdout and stderr together), to wait on. */
class ProcessOutput {
  text = "";
  private readonly exit: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    const append = (chunk: Buffer): void => {
      this.text += chunk.toString();
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    this.exit = new Promise((resolve) => child.once("close", (code) => resolve(code)));
  }

  /** Waits until the output matches; fails when the process ends first or the time is up. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const started = Date.now();
    for (;;) {
      const match = pattern.exec(this.text);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `npm start ended (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}:\n${this.text.slice(-3000)}`,
        );
      if (Date.now() - started > timeoutMs)
        throw new Error(
          `npm start did not print ${pattern} within ${timeoutMs / 1000} s:\n${this.text.slice(-3000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async exited(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.exit,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `npm start did not exit within ${timeoutMs / 1000} s of Ctrl+C:\n${this.text.slice(-2000)}`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
