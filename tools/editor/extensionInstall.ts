import { execFile } from "node:child_process";
import { readdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./repoRoot.js";
import { coopExtensionId, coopManifest } from "./coopManifest.js";
import type { EditorTools } from "./editorTools.js";

/**
 * What the editor runs: the packaged VSIX, or the repo itself linked in (npm start, quick local test
 * runs).
 */
export type ExtensionSource =
  { kind: "vsix"; path: string; bytes: number } | { kind: "repo"; reason: string };
import type { RunFolder } from "./runFolder.js";

/** Where Coop was installed: the extensions folder every session shares, and Coop's own folder in it. */
export interface InstalledExtension {
  extensionsDir: string;
  extensionDir: string;
  source: ExtensionSource;
}

/**
 * Installs Coop once per run: a VSIX through code-server's own `--install-extension` (what a user
 * does), or the repo linked into the extensions folder. Every session of the run then shares it.
 */
export async function installExtension(
  tools: EditorTools,
  run: RunFolder,
  source: ExtensionSource,
): Promise<InstalledExtension> {
  const extensionsDir = await run.folder("extensions");
  if (source.kind === "repo")
    return { extensionsDir, extensionDir: await linkRepoExtension(extensionsDir), source };
  const userDataDir = await run.folder("install-user-data");
  const { stdout, stderr } = await promisify(execFile)(
    tools.node,
    [
      tools.codeServer,
      "--extensions-dir",
      extensionsDir,
      "--user-data-dir",
      userDataDir,
      "--install-extension",
      source.path,
      "--force",
    ],
    { env: run.env(), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: unknown) => {
    throw new Error(
      `code-server --install-extension ${source.path} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const installed = (await readdir(extensionsDir)).find((name) =>
    name.toLowerCase().startsWith(`${coopExtensionId}-`),
  );
  if (!installed)
    throw new Error(`code-server did not install ${source.path} into ${extensionsDir}:\n${stdout}${stderr}`);
  return { extensionsDir, extensionDir: join(extensionsDir, installed), source };
}

/**
 * Links the repo (built with esbuild.mjs) into an extensions folder as Coop's extension folder, so
 * the editor runs the repo's code as it is. Returns the link.
 */
export async function linkRepoExtension(extensionsDir: string): Promise<string> {
  const extensionDir = join(extensionsDir, `${coopExtensionId}-${coopManifest.version}`);
  await symlink(repoRoot, extensionDir);
  return extensionDir;
}
