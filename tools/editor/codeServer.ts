import { spawn, type ChildProcess } from "node:child_process";
import { access, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { CodeServerTools } from "./editorTools.js";
import type { RunFolder } from "./runFolder.js";
import { SettingsFile } from "./settingsFile.js";

/** A quiet editor: no tips, telemetry, update checks, or built-in AI features next to Coop's. */
export const quietEditorSettings: Record<string, unknown> = {
  "chat.disableAIFeatures": true,
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.tips.enabled": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
};

/**
 * User settings every test session starts with: a quiet editor, nothing competing with Coop for keystrokes.
 */
export const testUserSettings: Record<string, unknown> = {
  ...quietEditorSettings,
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
  tools: CodeServerTools;
  run: RunFolder;
  /** Names the session's folder in the run folder (its user data). */
  name: string;
  workspace: string;
  extensionsDir: string;
  /** false: Workspace Trust is on, so the workspace opens untrusted unless the user trusts it. */
  trustWorkspace: boolean;
  /**
   * The smoke-test driver runs extension tests from a `payload` URL parameter (and hides notification
   * toasts).
   */
  smokeTestDriver?: boolean;
  /** The port to listen on, on 127.0.0.1 (default: any free one; see portToListenOn). */
  port?: number;
  /** The user's settings.json the session starts with (default: testUserSettings). */
  userSettings?: Record<string, unknown>;
  /** The remote machine's settings.json the session starts with (default: machineDefaults). */
  machineSettings?: Record<string, unknown>;
  /**
   * true: settings files that exist are left as they are, only missing ones are written (a session
   * whose user data persists between runs, where they hold the user's own changes).
   */
  keepExistingSettings?: boolean;
}

/**
 * A code-server (a real VS Code server with its web workbench) for one session. It runs in its own
 * process group (setsid) so that stopping it also ends its extension host and Coop's engine process,
 * which otherwise outlive it; --reconnection-grace-time keeps the extension host from waiting hours
 * for a browser that is gone.
 */
export class CodeServer {
  private output = "";
  /** Resolves when the code-server process has exited (its exit code, or null after a signal). */
  readonly exited: Promise<number | null>;

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
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once("exit", (code) => resolve(code));
    });
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const session = await options.run.folder(options.name);
    const userDataDir = join(session, "user-data");
    const settings: [SettingsFile, Record<string, unknown>][] = [
      [
        new SettingsFile(join(userDataDir, "User", "settings.json")),
        options.userSettings ?? testUserSettings,
      ],
      [
        new SettingsFile(join(userDataDir, "Machine", "settings.json")),
        options.machineSettings ?? machineDefaults,
      ],
    ];
    for (const [file, values] of settings) {
      if (options.keepExistingSettings && (await exists(file.path))) continue;
      await file.write(values);
    }
    const port = options.port ?? (await portToListenOn(0));
    const config = join(session, "config.yaml");
    await writeFile(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const args = [
      options.tools.codeServer,
      "--config",
      config,
      "--user-data-dir",
      userDataDir,
      "--extensions-dir",
      options.extensionsDir,
      "--disable-telemetry",
      "--disable-update-check",
      "--reconnection-grace-time",
      "5",
      ...(options.trustWorkspace ? ["--disable-workspace-trust"] : []),
      ...(options.smokeTestDriver ? ["--vscode-option", "enable-smoke-test-driver"] : []),
      options.workspace,
    ];
    // detached: the child calls setsid(), so its pid is the id of a new process group.
    const child = spawn(options.tools.node, args, {
      env: options.run.env(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
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

  /**
   * The workbench showing the workspace; `payload` carries smoke-test-driver options (see the extension-host
   * runner).
   */
  workbenchUrl(payload?: [string, string][]): string {
    const query = new URLSearchParams({ folder: this.workspace });
    if (payload) query.set("payload", JSON.stringify(payload));
    // Slashes may stay as they are in a query: the URL reads like the path it names.
    return `${this.url}/?${query.toString().replace(/%2F/gi, "/")}`;
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

  /**
   * Ends code-server's whole process group (its extension host and Coop's engine process with it).
   * With a grace period the group is asked first (SIGTERM: code-server shuts down and the extension
   * host can save its state), and what is left of it once code-server has exited or the period has
   * ended is killed; without one the group is killed at once.
   */
  async stop(graceMs = 0): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (graceMs > 0) {
      signalGroup(pid, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    // Even when code-server itself has exited, its extension host may still be running in the group.
    signalGroup(pid, "SIGKILL");
    liveGroups.delete(pid);
    await this.exited;
  }

  private async waitUntilListening(timeoutMs = 60_000): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.child.exitCode !== null)
        throw new Error(`code-server exited with ${this.child.exitCode}:\n${this.output.slice(-3000)}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `code-server did not answer on ${this.url} within ${timeoutMs / 1000} s:\n${this.output.slice(-3000)}`,
    );
  }
}

/**
 * Process groups of servers still running: killed if the program exits first (an error; Ctrl+C, when
 * the program turns signals into an exit, as the runner and `npm start` do).
 */
const liveGroups = new Set<number>();
process.once("exit", () => liveGroups.forEach((pid) => signalGroup(pid, "SIGKILL")));

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * A port on 127.0.0.1 that is free now: `preferred` or the next free one above it (up to `tries`
 * ports), or with 0 any port the system picks.
 */
export async function portToListenOn(preferred: number, tries = 50): Promise<number> {
  if (!Number.isInteger(preferred) || preferred < 0 || preferred > 65535)
    throw new Error(`${preferred} is not a port number (0 to 65535)`);
  if (preferred === 0) return (await tryListening(0))!;
  for (let port = preferred; port < Math.min(preferred + tries, 65536); port++) {
    if ((await tryListening(port)) !== undefined) return port;
  }
  throw new Error(
    `ports ${preferred} to ${Math.min(preferred + tries, 65536) - 1} on 127.0.0.1 are all in use (or not open to this user)`,
  );
}

/** Listens on the port for a moment: the port it got, or undefined when the port is taken. */
function tryListening(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(undefined) : reject(error),
    );
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
