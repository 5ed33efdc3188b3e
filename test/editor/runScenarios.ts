// Real-editor scenarios: Coop installed into a real VS Code (code-server, the one reachable here; see
// setup.sh) driven through a real browser (Debian's Chromium with playwright-core). Screenshots of each
// step go to test-results/editor/. Run with `npm run test:editor`.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { repoRoot } from "../support/repoRoot.js";

const resultsDir = join(repoRoot, "test-results", "editor");
const manifest = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { publisher: string; name: string; version: string };

interface Scenario {
  name: string;
  run(page: Page, workspace: string): Promise<void>;
}

const scenarios: Scenario[] = [
  {
    name: "ghost text appears while typing in a TypeScript file and Tab inserts it",
    async run(page, workspace) {
      await openFile(page, "demo.ts");
      await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
      await page.keyboard.press("Control+End");
      const ghost = page.locator(".ghost-text-decoration, .ghost-text");
      // The first completion starts the engine and may build the embedded models: wait on the DOM,
      // and type again if the first keystrokes reached the editor before the provider did.
      for (let attempt = 0; attempt < 4 && (await ghost.count()) === 0; attempt++) {
        await page.keyboard.type("\nexport function load", { delay: 60 });
        await ghost.first().waitFor({ state: "visible", timeout: 20_000 }).catch(() => undefined);
      }
      await ghost.first().waitFor({ state: "visible", timeout: 10_000 });
      // The editor renders spaces in ghost text as non-breaking spaces.
      const suggestion = (await ghost.allTextContents()).join("").replace(/\u00a0/g, " ");
      await screenshot(page, "01-ghost-text");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Control+S");
      const expected = suggestion.trim().slice(0, 8);
      if (expected === "") throw new Error("the ghost text was empty");
      await waitForFile(join(workspace, "demo.ts"), (text) => text.includes(`export function load${expected}`) || text.includes(expected));
      await screenshot(page, "02-accepted");
    },
  },
];

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press("Control+P");
  await page.keyboard.type(name, { delay: 20 });
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press("Enter");
  await page.locator(`.tab[data-resource-name="${name}"]`).first().waitFor({ timeout: 30_000 });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(resultsDir, `${name}.png`) });
}

async function waitForFile(path: string, accept: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = await readFile(path, "utf8");
    if (accept(text)) return text;
    if (Date.now() - started > timeoutMs) throw new Error(`${path} never reached the expected content; it has ${JSON.stringify(text.slice(-200))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer at ${url}`);
}

async function main(): Promise<number> {
  const tools = execFileSync("bash", [join(repoRoot, "test/editor/setup.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  const node24 = join(tools, "node/node_modules/node/bin/node");
  const codeServer = join(tools, "code-server/node_modules/code-server/out/node/entry.js");
  console.log("Real-editor tests run in code-server (a real VS Code); @vscode/test-electron cannot download VS Code here.");

  await mkdir(resultsDir, { recursive: true });
  const run = await mkdtemp(join(tmpdir(), "coop-editor-"));
  const workspace = join(run, "workspace");
  const extensions = join(run, "extensions");
  await mkdir(join(workspace, ".vscode"), { recursive: true });
  await mkdir(extensions, { recursive: true });
  await writeFile(join(workspace, "demo.ts"), 'import { readFile } from "node:fs/promises";\n\nexport async function readConfig(path: string) {\n  return JSON.parse(await readFile(path, "utf8"));\n}\n');
  await writeFile(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "coop.variant": "coop-tiny", "coop.gpu": "cpu" }, null, 2));
  await symlink(repoRoot, join(extensions, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
  // A quiet editor: no built-in AI chat competing for keystrokes, no welcome page.
  await mkdir(join(run, "user-data", "User"), { recursive: true });
  await writeFile(
    join(run, "user-data", "User", "settings.json"),
    JSON.stringify({ "chat.disableAIFeatures": true, "workbench.startupEditor": "none", "workbench.secondarySideBar.defaultVisibility": "hidden" }, null, 2),
  );

  const port = await freePort();
  const env = { ...process.env, HOME: run, XDG_CONFIG_HOME: join(run, "config"), XDG_DATA_HOME: join(run, "data"), TMPDIR: run, COOP_CACHE_DIR: process.env.COOP_CACHE_DIR ?? join(process.env.HOME ?? run, ".cache", "coop") };
  await writeFile(join(run, "config.yaml"), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const server = spawn(
    node24,
    [codeServer, "--config", join(run, "config.yaml"), "--user-data-dir", join(run, "user-data"), "--extensions-dir", extensions,
      "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", "--reconnection-grace-time", "5", workspace],
    { env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let serverLog = "";
  server.stdout?.on("data", (chunk: Buffer) => (serverLog += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (serverLog += chunk.toString()));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  let failures = 0;
  try {
    await waitForServer(`http://127.0.0.1:${port}/healthz`, server);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    for (const scenario of scenarios) {
      const started = Date.now();
      try {
        await scenario.run(page, workspace);
        console.log(`✔ ${scenario.name} (${Date.now() - started} ms)`);
      } catch (error) {
        failures++;
        console.log(`✖ ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
        await screenshot(page, `failed-${scenarios.indexOf(scenario) + 1}`).catch(() => undefined);
      }
    }
  } catch (error) {
    failures++;
    console.log(`✖ the editor did not start: ${error instanceof Error ? error.message : String(error)}\n${serverLog.slice(-2000)}`);
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid, "SIGKILL");
    await rm(run, { recursive: true, force: true }).catch(() => undefined);
  }
  console.log(`${scenarios.length - failures} passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
