import * as vscode from "vscode";
import type { EngineConnection, EngineStatus } from "./engineConnection.js";
import { modelsNotDownloaded } from "./loadFailure.js";

/**
 * Tells the user, once per failure, that the workspace's variant could not be loaded, with the action
 * that fixes it: download its models when they are missing, otherwise retry or read the log. The
 * status bar item keeps showing the error; Coop does not retry by itself (see EngineConnection).
 */
export function noticeLoadFailures(
  connection: EngineConnection,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  let shown: string | undefined;
  return connection.onDidChangeStatus((status: EngineStatus) => {
    if (!status.error) {
      shown = undefined;
      return;
    }
    const failure = `${status.variant}\n${status.error}`;
    if (failure === shown) return;
    shown = failure;
    const notDownloaded = modelsNotDownloaded(status);
    const actions = notDownloaded ? ["Download Models", "Show Log"] : ["Retry", "Show Log"];
    const message = notDownloaded
      ? `Coop: the models of ${status.variant} are not downloaded yet. ${status.error}`
      : `Coop could not load ${status.variant}: ${status.error}`;
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
      if (choice === "Download Models") void vscode.commands.executeCommand("coop.downloadModels");
      else if (choice === "Show Log") log.show();
      else if (choice === "Retry") void connection.loadNow().catch(() => undefined);
    });
  });
}
