import * as vscode from "vscode";
import type { CoopConfig } from "../settings/config.js";
import type { CompletionSnooze } from "../completions/completionSnooze.js";
import type { EngineConnection, EngineStatus } from "../engine/engineConnection.js";
import { modelsNotDownloaded } from "../engine/loadFailure.js";
import { describeError } from "../../engine/errors/index.js";

interface MenuItem extends vscode.QuickPickItem {
  run?: () => unknown;
}

export interface StatusMenuDeps {
  config: CoopConfig;
  connection: EngineConnection;
  snooze: CompletionSnooze;
  log: vscode.LogOutputChannel;
}

/**
 * The status item's menu: the engine's state (with the action an error calls for), completions on or
 * off (everywhere, for the active editor's language, snoozed for a while), and the ways to the
 * variant, its downloads, the chat and the log.
 */
export async function showStatusMenu(deps: StatusMenuDeps): Promise<void> {
  const picked = await vscode.window.showQuickPick(statusMenuItems(deps), {
    title: "Coop",
    placeHolder: "Completions, model variant, chat and log",
  });
  await picked?.run?.();
}

function statusMenuItems({ config, connection, snooze, log }: StatusMenuDeps): MenuItem[] {
  const language = vscode.window.activeTextEditor?.document.languageId;
  const enabled = config.completionsEnabled();
  const excluded = language !== undefined && config.excludedLanguages().includes(language);
  const snoozedUntil = snooze.snoozedUntil;
  const items: MenuItem[] = [
    { label: "Engine", kind: vscode.QuickPickItemKind.Separator },
    ...engineItems(connection.current, connection, log),
    { label: "Completions", kind: vscode.QuickPickItemKind.Separator },
    enabled
      ? {
          label: "$(circle-slash) Disable completions everywhere",
          run: () => config.setCompletionsEnabled(false),
        }
      : { label: "$(check) Enable completions everywhere", run: () => config.setCompletionsEnabled(true) },
  ];
  if (language !== undefined) {
    items.push(
      excluded
        ? {
            label: `$(check) Enable completions for ${language}`,
            run: () => config.setLanguageExcluded(language, false),
          }
        : {
            label: `$(circle-slash) Disable completions for ${language}`,
            run: () => config.setLanguageExcluded(language, true),
          },
    );
  }
  if (snoozedUntil !== undefined) {
    items.push({
      label: "$(debug-continue) Resume completions",
      description: `snoozed until ${new Date(snoozedUntil).toLocaleTimeString()}`,
      run: () => snooze.resume(),
    });
  }
  items.push(
    { label: "$(debug-pause) Snooze completions for 5 minutes", run: () => snooze.snooze(5) },
    { label: "$(debug-pause) Snooze completions for 30 minutes", run: () => snooze.snooze(30) },
    { label: "Model", kind: vscode.QuickPickItemKind.Separator },
    {
      label: "$(arrow-swap) Swap model variant…",
      description: config.variant,
      run: () => vscode.commands.executeCommand("coop.swapVariant"),
    },
    {
      label: "$(cloud-download) Download models…",
      run: () => vscode.commands.executeCommand("coop.downloadModels"),
    },
    { label: "", kind: vscode.QuickPickItemKind.Separator },
    { label: "$(comment-discussion) Open chat", run: () => vscode.commands.executeCommand("coop.openChat") },
    { label: "$(output) Show log", run: () => log.show() },
  );
  return items;
}

/** The engine's state, and for an error the action that deals with it. */
function engineItems(status: EngineStatus, connection: EngineConnection, log: vscode.LogOutputChannel) {
  if (status.error) {
    const notDownloaded = modelsNotDownloaded(status);
    return [
      {
        label: `$(error) ${status.variant} failed to load`,
        detail: status.error,
        description: notDownloaded ? "download its models" : "retry",
        run: () =>
          notDownloaded
            ? vscode.commands.executeCommand("coop.downloadModels")
            : connection.loadNow().catch((error: unknown) => log.warn(describeError(error))),
      },
    ];
  }
  if (status.download) {
    const percent =
      status.download.fraction === undefined ? "" : ` ${Math.round(status.download.fraction * 100)}%`;
    return [{ label: `$(cloud-download) Downloading${percent}`, detail: status.download.message }];
  }
  if (status.host === "crashed" || status.host === "gave-up" || status.host === "unresponsive") {
    return [
      {
        label: `$(warning) The engine process is ${status.host}`,
        description: "show the log",
        run: () => log.show(),
      },
    ];
  }
  if (status.loading || status.host === "starting")
    return [{ label: `$(loading~spin) Loading ${status.variant}…` }];
  if (status.host === "stopped")
    return [{ label: `$(circle-outline) ${status.variant}: loads on the first completion` }];
  return [{ label: `$(check) ${status.variant} is ready`, description: speed(status) }];
}

function speed(status: EngineStatus): string | undefined {
  const parts: string[] = [];
  if (status.stats?.tokensPerSecond !== undefined)
    parts.push(`${status.stats.tokensPerSecond.toFixed(0)} tokens/s`);
  if (status.stats?.acceptanceRate !== undefined)
    parts.push(`speculative acceptance ${(status.stats.acceptanceRate * 100).toFixed(0)}%`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}
