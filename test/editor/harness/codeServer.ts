import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { EditorTools } from "./editorTools.js";
import type { RunFolder } from "./runFolder.js";
import { SettingsFile } from "./settingsFile.js";

/** User settings every session starts with: a quiet editor, nothing competing with Coop for keystrokes. */
export const quietEditorSettings: Record<string, unknown> = {
  "chat.disableAIFeatures": true,
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.tips.enabled": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  // The suggest widget's selected item constrains which inline suggestions may show, and its commit
  // characters accept items while a scenario types: the scenarios check Coop's ghost text alone.
  "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
  "editor.suggestOnTriggerCharacters": false,
  "editor.acceptSuggestionOnCommitCharacter": false,
};

/**
 * Settings of the machine code-server runs on. code-server is a remote VS Code: machine-scoped
 * settings (coop.gpu, coop.threads, coop.modelsDirectory, coop.modelCatalog) apply only from the
 * remote machine's settings (user-data/Machine/settings.json), never from the user's settings.json
 * (which the browser side owns) nor, for `machine` scope, from a workspace.
 */
export const machineDefaults: Record<string, unknown> = {
  "coop.gpu": "cpu",
};

export interface CodeServerOptions {
  tools: EditorTools;
  run: RunFolder;
  /** Names the session's folder in the run folder (its user data). */
  name: string;
  workspace: string;
  extensionsDir: string;
  /** false: Workspace Trust is on, so the workspace opens untrusted unless the user trusts it. */
  trustWorkspace: boolean;
  /** The smoke-test driver runs extension tests from a `payload` URL parameter (and hides notification toasts). */
  smokeTestDriver?: boolean;
  userSettings?: Record<string, unknown>;
  machineSettings?: Record<string, unknown>;
}

/**
 * A code-server (a real VS Code server with its web workbench) for one session. It runs in its own
 * process group (setsid) so that stopping it also ends its extension host and Coop's engine process,
 * which otherwise outlive it; --reconnection-grace-time keeps the extension host from waiting hours
 * for a browser that is gone.
 */
export class CodeServer {
  private output = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly workspace: string,
    readonly userDataDir: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-64 * 1024);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const session = await options.run.folder(options.name);
    const userDataDir = join(session, "user-data");
    await new SettingsFile(join(userDataDir, "User", "settings.json")).write({ ...quietEditorSettings, ...options.userSettings });
    await new SettingsFile(join(userDataDir, "Machine", "settings.json")).write({ ...machineDefaults, ...options.machineSettings });
    const port = await freePort();
    const config = join(session, "config.yaml");
    await writeFile(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const args = [
      options.tools.codeServer,
      "--config", config,
      "--user-data-dir", userDataDir,
      "--extensions-dir", options.extensionsDir,
      "--disable-telemetry",
      "--disable-update-check",
      "--reconnection-grace-time", "5",
      ...(options.trustWorkspace ? ["--disable-workspace-trust"] : []),
      ...(options.smokeTestDriver ? ["--vscode-option", "enable-smoke-test-driver"] : []),
      options.workspace,
    ];
    // detached: the child calls setsid(), so its pid is the id of a new process group.
    const child = spawn(options.tools.node, args, { env: options.run.env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    const server = new CodeServer(child, port, options.workspace, userDataDir);
    try {
      await server.waitUntilListening();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The workbench showing the workspace; `payload` carries smoke-test-driver options (see the extension-host runner). */
  workbenchUrl(payload?: [string, string][]): string {
    const query = new URLSearchParams({ folder: this.workspace });
    if (payload) query.set("payload", JSON.stringify(payload));
    return `${this.url}/?${query.toString()}`;
  }

  /** A path on the server as the workbench names it (for payload options such as extensionTestsPath). */
  remoteUri(path: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${path}`;
  }

  /** The user's settings.json of this session. */
  get userSettings(): SettingsFile {
    return new SettingsFile(join(this.userDataDir, "User", "settings.json"));
  }

  /** The remote machine's settings.json of this session (see machineDefaults). */
  get machineSettings(): SettingsFile {
    return new SettingsFile(join(this.userDataDir, "Machine", "settings.json"));
  }

  /** Everything code-server printed, for failure reports. */
  get log(): string {
    return this.output;
  }

  /** Kills code-server's whole process group (its extension host and Coop's engine process with it). */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const running = this.child.exitCode === null && this.child.signalCode === null;
    const exited = running ? new Promise((resolve) => this.child.once("exit", resolve)) : Promise.resolve();
    // Even when code-server itself has exited, its extension host may still be running in the group.
    killGroup(pid);
    liveGroups.delete(pid);
    await exited;
  }

  private async waitUntilListening(timeoutMs = 60_000): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.child.exitCode !== null) throw new Error(`code-server exited with ${this.child.exitCode}:\n${this.output.slice(-3000)}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`code-server did not answer on ${this.url} within ${timeoutMs / 1000} s:\n${this.output.slice(-3000)}`);
  }
}

/** Process groups of servers still running: killed if the runner itself exits first (an error, Ctrl+C). */
const liveGroups = new Set<number>();
process.once("exit", () => liveGroups.forEach(killGroup));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    liveGroups.forEach(killGroup);
    process.exit(130);
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}
