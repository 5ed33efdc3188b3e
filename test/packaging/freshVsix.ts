import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../support/repoRoot.js";

/** What a VSIX is made from: when one of these is newer than the VSIX, it is stale. */
const packagingInputs = [
  "extension",
  "engine",
  "webview",
  "media",
  "package.json",
  "package-lock.json",
  "node_modules/.package-lock.json",
  "models.json",
  "models.schema.json",
  "README.md",
  ".vscodeignore",
  "esbuild.mjs",
  "scripts/package.mjs",
];

/**
 * The VSIX of a target as `npm run package` writes it: the one in dist/ when it is newer than every
 * input, else packaged now. Returns its path.
 */
export async function freshVsix(target: string): Promise<string> {
  const { name, version } = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  const path = join(repoRoot, "dist", `${name}-${target}-${version}.vsix`);
  if (existsSync(path) && (await stat(path)).mtimeMs > (await newestInput())) return path;
  return packageTarget(target);
}

async function packageTarget(target: string): Promise<string> {
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "package.mjs"), "--target", target], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0)
    throw new Error(`scripts/package.mjs --target ${target} failed (exit ${code}):\n${stderr}${stdout}`);
  const lines = stdout.trim().split("\n");
  return lines[lines.length - 1]!;
}

async function newestInput(): Promise<number> {
  let newest = 0;
  for (const input of packagingInputs) {
    const path = join(repoRoot, input);
    if (existsSync(path)) newest = Math.max(newest, await newestUnder(path));
  }
  return newest;
}

async function newestUnder(path: string): Promise<number> {
  const stats = await stat(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestUnder(join(path, entry)));
  return newest;
}
