// Real-editor tests: Coop packaged as a VSIX, installed into a real VS Code, and checked (a) from
// inside its extension host by the mocha suite (test/editor/extensionHost) and (b) through a real
// browser by the scenarios (test/editor/scenarios). `npm run test:editor [-- <name filter>…]`.
//
// Desktop VS Code (@vscode/test-electron) is used when it can be downloaded; otherwise, and always for
// the browser scenarios, code-server (the VS Code installable from npm; see setup.sh).
// Last, `npm start` (scripts/start.mjs) is checked in its own code-server (npmStart.ts).
// Screenshots: test-results/editor/. Numbers: bench-results/editor.json.
// COOP_EDITOR_EXTENSION=repo links the repo in instead of building the VSIX (quick local runs);
// COOP_EDITOR_KEEP=1 keeps the run folder (the editors' logs and settings) for a look afterwards.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../support/repoRoot.js";
import { bundleExtensionTests } from "./extensionHost/bundleSuite.js";
import { runExtensionTestsInCodeServer, type ExtensionTestRun } from "./extensionHost/runInCodeServer.js";
import { desktopVsCode, runExtensionTestsInElectron } from "./extensionHost/runInElectron.js";
import { launchBrowser } from "./harness/browser.js";
import { minimumVsCodeVersion } from "../../tools/editor/coopManifest.js";
import {
  writeEditorBenchResults,
  type EditorBenchResults,
  type EditorMetrics,
} from "./harness/editorBenchResults.js";
import { describeStages } from "./harness/latencyStats.js";
import { editorTools, type EditorTools } from "../../tools/editor/editorTools.js";
import { installExtension } from "../../tools/editor/extensionInstall.js";
import { RunFolder } from "../../tools/editor/runFolder.js";
import type { SessionName } from "./harness/scenario.js";
import { loadScenarios } from "./harness/scenarioRegistry.js";
import { runUiSession, type ScenarioResult } from "./harness/uiSession.js";
import { buildExtension, vsixTarget, type ExtensionSource } from "./harness/vsixBuild.js";
import { checkNpmStart, npmStartCheckName } from "./npmStart.js";

// Ctrl+C ends the run through process.exit, so the exit handlers stop every code-server's process
// group (codeServer.ts) and remove the run folder (runFolder.ts).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const sessions: SessionName[] = ["trusted", "untrusted"];
const screenshotsDir = join(repoRoot, "test-results", "editor");
/** Command-line arguments filter what runs by name ("extension-host" names the mocha suite). */
const filters = process.argv.slice(2).map((filter) => filter.toLowerCase());
const selected = (name: string): boolean =>
  filters.length === 0 || filters.some((filter) => name.toLowerCase().includes(filter));

async function main(): Promise<number> {
  const started = Date.now();
  await rm(screenshotsDir, { recursive: true, force: true });
  await mkdir(screenshotsDir, { recursive: true });

  let tools: EditorTools;
  let source: ExtensionSource;
  try {
    tools = await editorTools();
    const building = Date.now();
    source = await buildExtension();
    if (source.kind === "vsix")
      console.log(
        `VSIX (${vsixTarget()}): ${source.path}, ${megabytes(source.bytes)}, built in ${seconds(building)}`,
      );
    else console.log(`No VSIX (${source.reason}): the repo is built and linked into the editor instead.`);
  } catch (error) {
    console.log(`✖ ${describe(error)}`);
    return 1;
  }

  const keepRunFolder = process.env.COOP_EDITOR_KEEP === "1";
  const run = await RunFolder.create(keepRunFolder);
  const hostRuns: ExtensionTestRun[] = [];
  const failures: string[] = [];
  const scenarioResults: ScenarioResult[] = [];
  const runTests = async (tests: () => Promise<ExtensionTestRun>): Promise<void> => {
    const testing = Date.now();
    try {
      const hostRun = await tests();
      for (const test of hostRun.tests)
        console.log(test.passed ? `✔ ${test.title} (${test.ms} ms)` : `✖ ${test.title}: ${test.error}`);
      console.log(`  (${seconds(testing)} with the editor's start)`);
      hostRuns.push(hostRun);
    } catch (error) {
      failures.push(`the extension-host tests did not run: ${describe(error)}`);
      console.log(`✖ ${failures.at(-1)}`);
    }
  };
  const metrics: EditorMetrics = {};
  try {
    const extension = await installExtension(tools, run, source);
    console.log(
      `Coop ${source.kind === "vsix" ? "installed from the VSIX" : "linked"} into ${tools.description}.`,
    );
    const browser = await launchBrowser(tools);
    try {
      if (selected("extension-host")) {
        const testsIndex = await bundleExtensionTests(await run.folder("extension-tests"));
        for (const version of [minimumVsCodeVersion(), "stable"]) {
          const desktop = await desktopVsCode(version);
          if (!desktop.available) {
            console.log(
              `\nDesktop VS Code ${version} cannot be used (${desktop.reason}): the extension-host tests run in ${tools.description} only.`,
            );
            break;
          }
          console.log(`\nExtension-host tests in desktop VS Code ${version} (@vscode/test-electron):`);
          await runTests(() =>
            runExtensionTestsInElectron({
              run,
              version,
              executable: desktop.executable,
              extensionDir: extension.extensionDir,
              testsIndex,
            }),
          );
        }
        console.log(`\nExtension-host tests in ${tools.description}:`);
        await runTests(() => runExtensionTestsInCodeServer({ tools, run, extension, browser, testsIndex }));
      }
      const scenarios = (await loadScenarios()).filter((scenario) => selected(scenario.name));
      for (const session of sessions) {
        const ofSession = scenarios.filter((scenario) => scenario.session === session);
        if (ofSession.length === 0) continue;
        console.log(`\nScenarios in ${tools.description}, ${session} workspace:`);
        scenarioResults.push(
          ...(await runUiSession({
            session,
            scenarios: ofSession,
            tools,
            run,
            extension,
            browser,
            screenshotsDir,
            metrics,
          })),
        );
      }
      if (selected(npmStartCheckName)) {
        console.log(`\nnpm start (scripts/start.mjs, the repo linked into its own code-server):`);
        scenarioResults.push(await checkNpmStart({ run, browser, screenshotsDir }));
      }
    } finally {
      await browser.close();
    }
  } catch (error) {
    failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    console.log(`✖ ${failures.at(-1)}`);
  } finally {
    if (keepRunFolder) console.log(`\nThe run folder is kept: ${run.root}`);
    else await run.dispose();
  }

  const hostTests = hostRuns.flatMap((hostRun) => hostRun.tests);
  for (const hostRun of hostRuns) {
    if (hostRun.exitCode !== 0 && hostRun.tests.every((test) => test.passed)) {
      failures.push(
        `the extension-host tests in ${hostRun.editor} exited with ${hostRun.exitCode} although every test passed`,
      );
      console.log(`✖ ${failures.at(-1)}`);
    }
  }
  const results: EditorBenchResults = {
    ...metrics,
    vsixBytes: source.kind === "vsix" ? source.bytes : undefined,
    extensionSource: source.kind,
    editor: tools.description,
    scenarios: count(scenarioResults),
    extensionHostTests: count(hostTests),
    failed: [
      ...failures.map((failure) => failure.split("\n")[0]!),
      ...hostTests.filter((test) => !test.passed).map((test) => test.title),
      ...scenarioResults.filter((result) => !result.passed).map((result) => result.name),
    ],
  };
  const benchPath = await writeEditorBenchResults(results);

  console.log("");
  if (metrics.ghostTextP50Ms !== undefined) {
    console.log(
      `Keystroke to ghost text: p50 ${metrics.ghostTextP50Ms.toFixed(0)} ms, p95 ${metrics.ghostTextP95Ms?.toFixed(0)} ms over ${metrics.ghostTextSamples} keystrokes`,
    );
    if (metrics.ghostTextStagesP50Ms)
      console.log(`  stages at p50 (ms): ${describeStages(metrics.ghostTextStagesP50Ms)}`);
    if (metrics.ghostTextStagesP95Ms)
      console.log(`  stages at p95 (ms): ${describeStages(metrics.ghostTextStagesP95Ms)}`);
  }
  console.log(
    source.kind === "vsix"
      ? `VSIX size: ${megabytes(source.bytes)} (${source.bytes} bytes)`
      : `VSIX size: not measured (${source.reason})`,
  );
  console.log(
    `Extension-host tests: ${results.extensionHostTests.passed} passed, ${results.extensionHostTests.failed} failed`,
  );
  console.log(`Scenarios: ${results.scenarios.passed} passed, ${results.scenarios.failed} failed`);
  console.log(`Screenshots: ${screenshotsDir}; results: ${benchPath}; ${seconds(started)} in all`);
  const failed = failures.length + results.scenarios.failed + results.extensionHostTests.failed;
  return failed === 0 && results.scenarios.passed + results.extensionHostTests.passed > 0 ? 0 : 1;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function count(results: readonly { passed: boolean }[]): { passed: number; failed: number } {
  const passed = results.filter((result) => result.passed).length;
  return { passed, failed: results.length - passed };
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

process.exitCode = await main();
