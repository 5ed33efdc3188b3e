import { execFile, spawn } from "node:child_process";
import { access, constants, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

/** A desktop VS Code that can open Coop: its command-line launcher (`code`) and its version. */
export type InstalledVsCode =
  { found: true; cli: string; version: string } | { found: false; reason: string };

export interface VsCodeSearch {
  /** The oldest version Coop runs on (engines.vscode). */
  minimumVersion: string;
  /** Where PATH, HOME, DISPLAY, LOCALAPPDATA… are read (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Where to look besides PATH (default: usualVsCodeLocations). */
  locations?: string[];
}

/**
 * Finds the user's desktop VS Code the usual ways: a `code` on PATH, then the places its installers
 * put the launcher. A candidate counts when `code --version` answers with a version Coop supports
 * and, on Linux, there is a display to open a window on.
 */
export async function findInstalledVsCode(search: VsCodeSearch): Promise<InstalledVsCode> {
  const env = search.env ?? process.env;
  const platform = search.platform ?? process.platform;
  const locations = search.locations ?? usualVsCodeLocations(platform, env);
  const candidates = await distinctExecutables([...onPath(platform, env), ...locations], platform);
  if (candidates.length === 0) {
    return {
      found: false,
      reason: `no \`code\` on PATH${locations.length > 0 ? " nor where VS Code's installers put it" : ""}`,
    };
  }
  const rejected: string[] = [];
  for (const cli of candidates) {
    const version = await vsCodeVersion(cli, env, platform);
    if (typeof version !== "string") {
      rejected.push(`${cli} ${version.reason}`);
    } else if (compareVersions(version, search.minimumVersion) < 0) {
      rejected.push(
        `${cli} is VS Code ${version}, older than ${search.minimumVersion}, the oldest Coop runs on`,
      );
    } else if (platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
      rejected.push(
        `${cli} is VS Code ${version}, but there is no display to open it on (neither DISPLAY nor WAYLAND_DISPLAY is set)`,
      );
    } else {
      return { found: true, cli, version };
    }
  }
  return { found: false, reason: rejected.join("; ") };
}

/** Where VS Code's installers put its command-line launcher, per platform. */
export function usualVsCodeLocations(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? env.USERPROFILE ?? "";
  if (platform === "darwin") {
    const app = "Visual Studio Code.app/Contents/Resources/app/bin/code";
    return [join("/Applications", app), ...(home ? [join(home, "Applications", app)] : [])];
  }
  if (platform === "win32") {
    const folders = [env.LOCALAPPDATA && join(env.LOCALAPPDATA, "Programs"), env.ProgramFiles].filter(
      (folder): folder is string => Boolean(folder),
    );
    return folders.map((folder) => join(folder, "Microsoft VS Code", "bin", "code.cmd"));
  }
  return [
    "/usr/share/code/bin/code", // the .deb and .rpm packages
    "/usr/bin/code",
    "/snap/bin/code",
    "/opt/visual-studio-code/bin/code", // Arch's visual-studio-code-bin
    "/var/lib/flatpak/exports/bin/com.visualstudio.code",
    ...(home ? [join(home, ".local/share/flatpak/exports/bin/com.visualstudio.code")] : []),
  ];
}

/**
 * Opens the workspace in a new VS Code window whose extension host runs the extension at
 * `extensionDevelopmentPath` (an Extension Development Host, as F5 in VS Code opens). Resolves with
 * the launcher's exit code once it has handed the window over to VS Code.
 */
export function openInVsCode(
  cli: string,
  options: { extensionDevelopmentPath: string; workspace: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [
      `--extensionDevelopmentPath=${options.extensionDevelopmentPath}`,
      "--new-window",
      options.workspace,
    ];
    const [command, commandArgs] = needsShell(cli) ? [quoted(cli), args.map(quoted)] : [cli, args];
    const launcher = spawn(command, commandArgs, {
      stdio: "inherit",
      env: options.env ?? process.env,
      shell: needsShell(cli),
    });
    launcher.on("error", (error) => reject(new Error(`${cli} could not be run: ${error.message}`)));
    launcher.on("close", (code) => resolve(code ?? 1));
  });
}

function onPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const names = platform === "win32" ? ["code.cmd", "code.exe"] : ["code"];
  const folders = (env.PATH ?? env.Path ?? "")
    .split(platform === "win32" ? ";" : ":")
    .filter((folder) => folder !== "");
  return folders.flatMap((folder) => names.map((name) => join(folder, name)));
}

/** The candidates that exist and can be run, each file once (PATH often links to an install location). */
async function distinctExecutables(paths: string[], platform: NodeJS.Platform): Promise<string[]> {
  const seen = new Set<string>();
  const found: string[] = [];
  for (const path of paths) {
    try {
      if (!(await stat(path)).isFile()) continue;
      if (platform !== "win32") await access(path, constants.X_OK);
      const real = await realpath(path);
      if (seen.has(real)) continue;
      seen.add(real);
      found.push(path);
    } catch {
      // not there, or not runnable
    }
  }
  return found;
}

/** `code --version` prints the version, the commit and the architecture, one a line. */
function vsCodeVersion(
  cli: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<string | { reason: string }> {
  return new Promise((resolve) => {
    const shell = platform === "win32" && needsShell(cli);
    execFile(
      shell ? quoted(cli) : cli,
      ["--version"],
      { env, timeout: 30_000, encoding: "utf8", shell },
      (error, stdout) => {
        if (error) return resolve({ reason: `did not answer --version (${error.message.split("\n")[0]})` });
        const version = /^(\d+\.\d+\.\d+)/.exec(stdout.trim())?.[1];
        resolve(
          version ?? {
            reason: `answered --version with ${JSON.stringify(stdout.trim().split("\n")[0])}, not a VS Code version`,
          },
        );
      },
    );
  });
}

/** Windows runs .cmd launchers only through the shell, which needs paths with spaces quoted. */
function needsShell(cli: string): boolean {
  return /\.(cmd|bat)$/i.test(cli);
}

function quoted(text: string): string {
  return `"${text}"`;
}

function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((version) => version.split(".").map((part) => Number.parseInt(part, 10) || 0));
  for (let index = 0; index < 3; index++) {
    const difference = (pa![index] ?? 0) - (pb![index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
