import * as vscode from "vscode";
import { describeError } from "../../engine/errors/index.js";

/** The walkthrough's steps by what completes them, each with its step id in package.json. */
const stepIds = {
  variantChosen: "chooseVariant",
  modelsReady: "downloadModels",
  suggestionAccepted: "tryCompletion",
  chatAsked: "askChat",
} as const;

/** What the getting-started walkthrough's steps wait for. */
export type WalkthroughStep = keyof typeof stepIds;

/** The walkthrough's id in package.json (contributes.walkthroughs). */
const walkthroughId = "gettingStarted";

let progress: { extensionId: string; log: vscode.LogOutputChannel } | undefined;

/** Lets walkthroughStepDone tick Coop's steps; the extension's id names them in the workbench. */
export function trackWalkthroughProgress(
  extensionId: string,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  progress = { extensionId, log };
  return new vscode.Disposable(() => {
    progress = undefined;
  });
}

/**
 * Marks a walkthrough step done, every time the user does it. The workbench's completion events alone
 * cannot: it takes each event (`onCommand:…`, `onContext:…`) once per window, and it creates its
 * walkthrough service only when the Welcome page or a walkthrough first needs it, so a context key
 * already true then counts as seen and never ticks the step; and the command an inline completion item
 * runs reaches the workbench under a delegating id, not its own. So the step is ticked through the
 * workbench's `welcome.markStepComplete`, which records it whether or not the walkthrough is open, was
 * done before, or was reset. The context key (package.json: onContext) serves an editor without it.
 */
export function walkthroughStepDone(step: WalkthroughStep): void {
  void vscode.commands.executeCommand("setContext", `coop.walkthrough.${step}`, true);
  if (!progress) return;
  void markStepComplete(`${progress.extensionId}#${walkthroughId}#${stepIds[step]}`, progress.log);
}

/**
 * `welcome.markStepComplete` with the step's full id. When this call creates the walkthrough service,
 * the service registers the extensions' walkthroughs a moment later: it records the step, then fails
 * to look it up, and the step shows done once the walkthrough is opened. So a failure is only logged.
 */
async function markStepComplete(stepId: string, log: vscode.LogOutputChannel): Promise<void> {
  try {
    await vscode.commands.executeCommand("welcome.markStepComplete", stepId);
  } catch (error) {
    log.debug(`welcome.markStepComplete ${stepId}: ${describeError(error)}`);
  }
}
