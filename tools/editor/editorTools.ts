import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repoRoot.js";

/** code-server and the Node it runs on: installed by setup.sh outside the repo, keyed by version. */
export interface CodeServerTools {
  /** Node 24, the Node code-server is built for. */
  node: string;
  /** code-server's entry script, run with `node`. */
  codeServer: string;
  /** e.g. "code-server 4.139.1 (VS Code 1.139.1)". */
  description: string;
}

/** The programs the real-editor tests drive: code-server, and Debian's Chromium driven by playwright-core. */
export interface EditorTools extends CodeServerTools {
  chromium: string;
}

/** Everything the real-editor tests need (see setup.sh). */
export async function editorTools(): Promise<EditorTools> {
  return { ...(await runSetup([])), chromium: "/usr/bin/chromium" };
}

/** code-server alone, for `npm start` (no browser: the user brings their own). */
export function codeServerTools(): Promise<CodeServerTools> {
  return runSetup(["--no-browser"]);
}

/**
 * Runs setup.sh, which installs what is missing and reuses what is there (its progress goes to our
 * stderr), and returns where the tools are: setup.sh prints their folder as its last line.
 */
function runSetup(args: string[]): Promise<CodeServerTools> {
  return new Promise((resolve, reject) => {
    const setup = spawn("bash", [join(repoRoot, "tools/editor/setup.sh"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    setup.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    setup.on("error", (error) =>
      reject(new Error(`tools/editor/setup.sh could not be run (bash is needed): ${error.message}`)),
    );
    setup.on("close", (code) => {
      const folder = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || folder === "")
        return reject(new Error(`tools/editor/setup.sh failed (exit code ${code}); its messages are above`));
      const codeServerDir = join(folder, "code-server/node_modules/code-server");
      const version = (path: string): string =>
        (JSON.parse(readFileSync(join(codeServerDir, path), "utf8")) as { version: string }).version;
      resolve({
        node: join(folder, "node/node_modules/node/bin/node"),
        codeServer: join(codeServerDir, "out/node/entry.js"),
        description: `code-server ${version("package.json")} (VS Code ${version("lib/vscode/package.json")})`,
      });
    });
  });
}
