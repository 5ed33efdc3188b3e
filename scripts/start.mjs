// npm start: opens Coop, built from this repo, on the sample workspace (sample/) in a real editor.
//   - the user's desktop VS Code when there is one (a `code` on PATH or in the usual install places):
//     an Extension Development Host window, `code --extensionDevelopmentPath=<repo> sample/`;
//   - otherwise code-server (the VS Code installable from npm; installed into Coop's cache on first
//     use), on http://127.0.0.1:<port>, until Ctrl+C. Its settings and state persist in the cache.
// Coop runs on its embedded default variant, coop-tiny (the project's tiny models, built on first use).
//
// node scripts/start.mjs [--editor auto|vscode|code-server] [--port N] [--session-dir DIR]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const sampleWorkspace = join(repoRoot, "sample");
const defaultPort = 8080;
/**
 * How long code-server gets to shut down (its extension host saves state) before its process group is killed.
 */
const stopGraceMs = 5000;

const usage = `Usage: npm start [-- options]   (or: node scripts/start.mjs [options])

Opens Coop, built from this repo, on the sample workspace (sample/): in your desktop VS Code when one
is installed, otherwise in code-server at a local URL (until Ctrl+C).

Options:
  --editor auto|vscode|code-server  which editor (default: auto, VS Code when found, else code-server)
  --port N                          code-server's port on 127.0.0.1 (default: ${defaultPort}, or the next
                                    free one; 0: any free port)
  --session-dir DIR                 where code-server keeps its settings and state (default:
                                    <Coop's cache>/start, kept between runs)
  -h, --help                        show this help`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      editor: { type: "string", default: "auto" },
      port: { type: "string", default: String(defaultPort) },
      "session-dir": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!["auto", "vscode", "code-server"].includes(values.editor)) {
    throw new Error(`--editor must be auto, vscode or code-server, not ${JSON.stringify(values.editor)}`);
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535)
    throw new Error(`--port must be a port number (0 to 65535), not ${JSON.stringify(values.port)}`);
  const sessionDir = values["session-dir"] === undefined ? undefined : resolve(values["session-dir"]);
  return { editor: values.editor, port, sessionDir, help: values.help };
}

async function main() {
  let options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`npm start: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }

  if (
    !existsSync(join(repoRoot, "node_modules", "tsx")) ||
    !existsSync(join(repoRoot, "node_modules", "esbuild"))
  ) {
    console.error(
      "npm start: the dependencies are not installed; run `npm ci` first (with the dev dependencies: esbuild builds Coop, tsx loads the editor harness).",
    );
    return 1;
  }
  console.log("Building Coop (esbuild.mjs)…");
  if (
    spawnSync(process.execPath, [join(repoRoot, "esbuild.mjs")], { cwd: repoRoot, stdio: "inherit" })
      .status !== 0
  ) {
    console.error("npm start: the build failed (see above).");
    return 1;
  }

  // The editor tooling (tools/editor) is TypeScript: tsx loads it, as it does for the tests.
  const { register } = await import("tsx/esm/api");
  register();
  const { minimumVsCodeVersion } = await import("../tools/editor/coopManifest.ts");
  const { findInstalledVsCode, openInVsCode } = await import("../tools/editor/installedVsCode.ts");

  if (options.editor !== "code-server") {
    const vscode = await findInstalledVsCode({ minimumVersion: minimumVsCodeVersion() });
    if (vscode.found) {
      console.log(
        `Opening Coop on sample/ in VS Code ${vscode.version} (${vscode.cli}): a new Extension Development Host window runs Coop from this repo.`,
      );
      const code = await openInVsCode(vscode.cli, {
        extensionDevelopmentPath: repoRoot,
        workspace: sampleWorkspace,
      });
      if (code !== 0) console.error(`npm start: ${vscode.cli} exited with ${code}.`);
      return code;
    }
    if (options.editor === "vscode") {
      console.error(`npm start: --editor vscode, but no desktop VS Code can be used: ${vscode.reason}.`);
      return 1;
    }
    console.log(`No desktop VS Code to open (${vscode.reason}): opening Coop in code-server instead.`);
  }
  return runCodeServer(options);
}

async function runCodeServer(options) {
  if (process.platform === "win32") {
    console.error(
      "npm start: code-server does not run on Windows. Install VS Code (https://code.visualstudio.com) and run npm start again.",
    );
    return 1;
  }
  const { CodeServer, portToListenOn, quietEditorSettings } = await import("../tools/editor/codeServer.ts");
  const { codeServerTools } = await import("../tools/editor/editorTools.ts");
  const { linkRepoExtension } = await import("../tools/editor/extensionInstall.ts");
  const { RunFolder } = await import("../tools/editor/runFolder.ts");
  const { defaultCacheDir: coopCacheDir } = await import("../engine/paths.ts");

  // Until code-server runs, Ctrl+C just exits: the exit handler of codeServer.ts kills whatever started.
  let onSignal = () => {
    console.log("\nStopped before code-server was up.");
    process.exit(130);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => onSignal(signal));

  const tools = await codeServerTools();
  const session = await RunFolder.persistent(options.sessionDir ?? join(coopCacheDir(), "start"));
  // Only Coop lives in this extensions folder, linked to the repo: made afresh each time, so the link
  // always names the current version.
  const extensionsDir = join(session.root, "extensions");
  await rm(extensionsDir, { recursive: true, force: true });
  await linkRepoExtension(await session.folder("extensions"));

  const server = await CodeServer.start({
    tools,
    run: session,
    name: "code-server",
    workspace: sampleWorkspace,
    extensionsDir,
    // This session is Coop's own and opens only the repo's sample, which the user checked out: it
    // opens trusted (Workspace Trust off in this code-server), so no Restricted Mode banner greets them.
    trustWorkspace: true,
    port: await portToListenOn(options.port),
    userSettings: { ...quietEditorSettings, "workbench.startupEditor": "readme" },
    machineSettings: {},
    keepExistingSettings: true,
  });

  const stopped = new Promise((resolve) => {
    onSignal = (signal) => {
      // A second Ctrl+C does not wait for the graceful stop.
      onSignal = () => process.exit(130);
      resolve(signal);
    };
  });
  console.log(
    `\nCoop is running in ${tools.description} on the sample workspace:\n\n  ${server.workbenchUrl()}\n`,
  );
  console.log(`Open it in your browser. Settings and editor state are kept in ${server.userDataDir}.`);
  console.log("Press Ctrl+C to stop.");

  const ended = await Promise.race([stopped, server.exited.then((code) => ({ code }))]);
  if (typeof ended === "object") {
    console.error(
      `npm start: code-server exited by itself (exit code ${ended.code}):\n${server.log.slice(-3000)}`,
    );
    await server.stop();
    return 1;
  }
  console.log("\nStopping code-server…");
  await server.stop(stopGraceMs);
  console.log("code-server stopped.");
  return 0;
}

try {
  process.exit(await main());
} catch (error) {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
