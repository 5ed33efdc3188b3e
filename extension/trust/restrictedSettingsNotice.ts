import * as vscode from "vscode";
import { parse as parseJsonc, type ParseError } from "jsonc-parser";
import { restrictedSettings } from "../settings/manifestSettings.js";

/**
 * In an untrusted workspace VS Code ignores the workspace's values of Coop's restricted settings
 * (package.json capabilities.untrustedWorkspaces). Coop tells the user which ones it ignores and why,
 * once per window, and reloads the models when trust is granted so they apply.
 */
export function noticeRestrictedSettings(
  log: vscode.LogOutputChannel,
  onTrustGranted: () => void,
): vscode.Disposable {
  if (!vscode.workspace.isTrusted) {
    void settingsTheWorkspaceSets(log).then((ignored) => {
      if (ignored.length === 0) return;
      const message =
        `Coop ignores ${ignored.join(" and ")} as set by this workspace because the workspace is not trusted: ` +
        "an untrusted folder must not choose which model files Coop loads. Trust the workspace to use it.";
      log.warn(message);
      void vscode.window.showWarningMessage(message, "Manage Workspace Trust").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
      });
    });
  }
  return vscode.workspace.onDidGrantWorkspaceTrust(() => {
    log.info("The workspace is trusted now: its Coop settings apply; the variant reloads on next use.");
    onTrustGranted();
  });
}

/**
 * The restricted settings the workspace's own settings files set. In an untrusted window VS Code
 * drops those values from the configuration it reports (inspect() shows no workspace value), so the
 * files are read: each folder's .vscode/settings.json and the .code-workspace file's "settings".
 */
async function settingsTheWorkspaceSets(log: vscode.LogOutputChannel): Promise<string[]> {
  const sources: { uri: vscode.Uri; settingsOf: (document: unknown) => unknown }[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    sources.push({
      uri: vscode.Uri.joinPath(folder.uri, ".vscode", "settings.json"),
      settingsOf: (document) => document,
    });
  }
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile && workspaceFile.scheme !== "untitled") {
    sources.push({
      uri: workspaceFile,
      settingsOf: (document) => (isRecord(document) ? document.settings : undefined),
    });
  }
  const found = new Set<string>();
  for (const source of sources) {
    const settings = source.settingsOf(await readJsonc(source.uri, log));
    if (!isRecord(settings)) continue;
    for (const setting of restrictedSettings) if (settings[setting] !== undefined) found.add(setting);
  }
  return restrictedSettings.filter((setting) => found.has(setting));
}

async function readJsonc(uri: vscode.Uri, log: vscode.LogOutputChannel): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined; // no settings file: nothing set
  }
  const errors: ParseError[] = [];
  const document: unknown = parseJsonc(new TextDecoder().decode(bytes), errors, { allowTrailingComma: true });
  if (errors.length > 0) log.debug(`${uri.toString(true)} has JSON errors; Coop read what it could of it.`);
  return document;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
