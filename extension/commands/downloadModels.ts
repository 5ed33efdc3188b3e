import * as vscode from "vscode";
import type { EngineConnection } from "../engine/engineConnection.js";
import { walkthroughStepDone } from "../walkthrough/walkthroughProgress.js";
import { describeError } from "../../engine/errors/index.js";

/** Coop: Download Models: what the workspace's variant needs, with progress, cancellable, then loaded. */
export async function downloadModels(engine: EngineConnection, log: vscode.LogOutputChannel): Promise<void> {
  const variant = engine.current.variant;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Coop: downloading the models of ${variant}`,
      cancellable: true,
    },
    async (progress, token) => {
      let reported = 0;
      try {
        const result = await engine.downloadActiveVariant(token, (fraction, message) => {
          const percent = fraction === undefined ? undefined : Math.floor(fraction * 100);
          progress.report({
            message: percent === undefined ? message : `${message} (${percent}%)`,
            increment: percent === undefined ? undefined : Math.max(0, percent - reported),
          });
          if (percent !== undefined) reported = Math.max(reported, percent);
        });
        walkthroughStepDone("modelsReady");
        if (result.downloaded.length === 0) {
          void vscode.window.showInformationMessage(`Coop: ${variant} needs no download.`);
          return;
        }
        log.info(`Downloaded ${result.downloaded.join(", ")} (${(result.bytes / 2 ** 20).toFixed(0)} MB).`);
        engine.reload();
        void vscode.window.showInformationMessage(`Coop: ${variant} is downloaded and verified.`);
      } catch (error) {
        if (token.isCancellationRequested) {
          void vscode.window.showInformationMessage(
            "Coop: download cancelled; it resumes where it stopped next time.",
          );
          return;
        }
        const message = describeError(error);
        log.error(`Download failed: ${message}`);
        void vscode.window
          .showErrorMessage(`Coop could not download the models of ${variant}: ${message}`, "Show Log")
          .then((choice) => choice && log.show());
      }
    },
  );
}
