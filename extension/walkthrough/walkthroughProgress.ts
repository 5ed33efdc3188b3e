import * as vscode from "vscode";

/** What the getting-started walkthrough's steps wait for (package.json: completionEvents onContext:…). */
export type WalkthroughStep = "variantChosen" | "modelsReady" | "suggestionAccepted" | "chatAsked";

/** How many times each step was done in this window: the value of its context key. */
const doneCounts = new Map<WalkthroughStep, number>();

/**
 * Marks a walkthrough step done: VS Code ticks the step off when its context key changes to a truthy
 * value. The key counts (1, 2, …) rather than staying `true`: a key already true before the walkthrough
 * was shown would not change again, and the step would stay open.
 */
export function walkthroughStepDone(step: WalkthroughStep): void {
  const count = (doneCounts.get(step) ?? 0) + 1;
  doneCounts.set(step, count);
  void vscode.commands.executeCommand("setContext", `coop.walkthrough.${step}`, count);
}
