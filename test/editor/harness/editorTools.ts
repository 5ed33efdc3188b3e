import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../support/repoRoot.js";

/** The programs the real-editor tests drive: installed by setup.sh outside the repo, keyed by version. */
export interface EditorTools {
  /** Node 24, the Node code-server is built for. */
  node: string;
  /** code-server's entry script, run with `node`. */
  codeServer: string;
  /** Debian's Chromium, driven by playwright-core. */
  chromium: string;
  /** e.g. "code-server 4.139.1 (VS Code 1.139.1)". */
  description: string;
}

/**
 * Runs setup.sh, which installs what is missing and reuses what is there (its progress goes to our
 * stderr), and returns where the tools are: setup.sh prints their folder as its last line.
 */
export function editorTools(): Promise<EditorTools> {
  return new Promise((resolve, reject) => {
    const setup = spawn("bash", [join(repoRoot, "test/editor/setup.sh")], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    setup.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    setup.on("error", reject);
    setup.on("close", (code) => {
      const folder = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || folder === "") return reject(new Error(`test/editor/setup.sh failed (exit code ${code})`));
      const codeServerDir = join(folder, "code-server/node_modules/code-server");
      const version = (path: string): string => (JSON.parse(readFileSync(join(codeServerDir, path), "utf8")) as { version: string }).version;
      resolve({
        node: join(folder, "node/node_modules/node/bin/node"),
        codeServer: join(codeServerDir, "out/node/entry.js"),
        chromium: "/usr/bin/chromium",
        description: `code-server ${version("package.json")} (VS Code ${version("lib/vscode/package.json")})`,
      });
    });
  });
}
