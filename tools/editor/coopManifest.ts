import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repoRoot.js";

export interface CoopManifest {
  publisher: string;
  name: string;
  version: string;
  engines: { vscode: string };
}

/** Coop's package.json, the extension manifest. */
export const coopManifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as CoopManifest;

/** The extension's id as VS Code knows it. */
export const coopExtensionId = `${coopManifest.publisher}.${coopManifest.name}`;

/** The oldest VS Code Coop supports: engines.vscode without its range operator (`^1.95.0` -> `1.95.0`). */
export function minimumVsCodeVersion(): string {
  const version = /\d+\.\d+\.\d+/.exec(coopManifest.engines.vscode)?.[0];
  if (!version)
    throw new Error(`package.json engines.vscode is ${coopManifest.engines.vscode}, not a version range`);
  return version;
}
