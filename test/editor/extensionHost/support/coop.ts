import { readFileSync, readdirSync } from "node:fs";
import * as vscode from "vscode";
import type { CoopExtensionApi } from "../../../../extension/extension.js";

/**
 * package.json's publisher.name (the suite runs bundled in the extension host, away from the repo's files).
 */
export const coopExtensionId = "coop.coop";

/** Coop's extension, activated, and the API its activate() returned. */
export async function coopExtension(): Promise<{
  extension: vscode.Extension<CoopExtensionApi | undefined>;
  api: CoopExtensionApi;
}> {
  const extension = vscode.extensions.getExtension<CoopExtensionApi | undefined>(coopExtensionId);
  if (!extension) throw new Error(`${coopExtensionId} is not installed in this editor`);
  const api = await extension.activate();
  if (!api) throw new Error("Coop's activate() returned nothing: it failed to start (see its log)");
  return { extension, api };
}

/** A file of the test workspace (see workspaceFixture.ts). */
export function workspaceUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("the extension-host tests need a workspace folder open");
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/**
 * Asks Coop's provider for inline completions the way the editor does, on a document that is open
 * but not shown: the editor itself then never asks concurrently (a newer request for the same
 * document would supersede this one).
 */
export async function completeAt(
  api: CoopExtensionApi,
  document: vscode.TextDocument,
  position: vscode.Position,
): Promise<vscode.InlineCompletionItem[]> {
  const cancellation = new vscode.CancellationTokenSource();
  try {
    const result = await api.completions.provideInlineCompletionItems(
      document,
      position,
      { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
      cancellation.token,
    );
    if (!result) return [];
    return Array.isArray(result) ? result : result.items;
  } finally {
    cancellation.dispose();
  }
}

/** The text an item inserts. */
export function insertedText(item: vscode.InlineCompletionItem): string {
  return typeof item.insertText === "string" ? item.insertText : item.insertText.value;
}

/**
 * Coop's engine host processes: children of this extension host running out/engineHost.mjs. Read
 * from /proc, so only on Linux (undefined elsewhere).
 */
export function engineHostProcesses(): number[] | undefined {
  if (process.platform !== "linux") return undefined;
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (commandLine.includes("engineHost.mjs")) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** Polls until `condition` holds, failing with `what` after the timeout. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sets a Coop setting in the workspace's settings (undefined removes it) and waits until the extension host
 * sees it.
 */
export async function setWorkspaceSetting(
  key: string,
  value: unknown,
  scope?: vscode.ConfigurationScope,
): Promise<void> {
  await vscode.workspace
    .getConfiguration("coop", scope)
    .update(key, value, vscode.ConfigurationTarget.Workspace);
  await waitUntil(
    `coop.${key} is ${JSON.stringify(value)} in the workspace`,
    () => vscode.workspace.getConfiguration("coop", scope).inspect(key)?.workspaceValue === value,
  );
}
