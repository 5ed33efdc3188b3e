import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { ExtensionSource } from "../../../tools/editor/extensionInstall.js";

export type { ExtensionSource };
import { repoRoot } from "../../support/repoRoot.js";

const packageScript = join(repoRoot, "scripts", "package.mjs");

/** VS Code's name for this machine's platform (a VSIX target). */
export function vsixTarget(): string {
  const platform = process.platform === "win32" ? "win32" : process.platform;
  return `${platform}-${process.arch}`;
}

/**
 * Builds this platform's VSIX with scripts/package.mjs, which prints the VSIX path as its last line.
 * Without that script (or with COOP_EDITOR_EXTENSION=repo, for quick local runs) the repo is built and
 * linked into the editor instead, and the reason is returned so the run can say so.
 */
export async function buildExtension(): Promise<ExtensionSource> {
  if (process.env.COOP_EDITOR_EXTENSION === "repo") {
    await runNode([join(repoRoot, "esbuild.mjs")]);
    return { kind: "repo", reason: "COOP_EDITOR_EXTENSION=repo" };
  }
  if (!existsSync(packageScript)) {
    await runNode([join(repoRoot, "esbuild.mjs")]);
    return { kind: "repo", reason: "scripts/package.mjs does not exist yet" };
  }
  const stdout = await runNode([packageScript, "--target", vsixTarget()]);
  const last = stdout.trim().split("\n").at(-1)?.trim() ?? "";
  const path = isAbsolute(last) ? last : resolve(repoRoot, last);
  if (!last.endsWith(".vsix") || !existsSync(path)) {
    throw new Error(
      `scripts/package.mjs should print the VSIX path as its last line; it printed ${JSON.stringify(last)}`,
    );
  }
  return { kind: "vsix", path, bytes: (await stat(path)).size };
}

/** Runs a Node script in the repo; its output is shown as it comes, and its stdout returned. */
function runNode(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolvePromise(stdout)
        : reject(
            new Error(
              `node ${args.map((arg) => arg.replace(repoRoot, "")).join(" ")} failed (exit code ${code})`,
            ),
          ),
    );
  });
}
