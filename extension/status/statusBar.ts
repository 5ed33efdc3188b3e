import * as vscode from "vscode";
import type { EnsembleOutcome } from "../../engine/ensemble/index.js";
import type { EngineConnection, EngineStatus } from "../engine/engineConnection.js";
import type { EnsembleActivity } from "./ensembleActivity.js";

/**
 * The active variant, the engine's state, the last speculative acceptance rate and speed, and when
 * the draft model answered because the target model is still loading.
 */
export class CoopStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "coop.status",
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly subscriptions: vscode.Disposable[];
  private status: EngineStatus;
  /** The last routed answer came from the draft while the target loads. */
  private draftAnswering = false;

  constructor(engine: EngineConnection, activity: EnsembleActivity) {
    this.item.name = "Coop";
    this.item.command = "coop.swapVariant";
    this.status = engine.current;
    this.render();
    this.subscriptions = [
      engine.onDidChangeStatus((status) => {
        this.status = status;
        // A variant that finished loading answers from its target from now on.
        if (!status.loading) this.draftAnswering = false;
        this.render();
      }),
      activity.onDidChange((outcome) => this.showOutcome(outcome)),
    ];
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private showOutcome(outcome: EnsembleOutcome | undefined): void {
    const draftAnswering = outcome?.draftWhileTargetLoads === true;
    if (draftAnswering === this.draftAnswering) return;
    this.draftAnswering = draftAnswering;
    this.render();
  }

  private render(): void {
    const status = this.status;
    const icon =
      status.error || status.host === "crashed" || status.host === "gave-up"
        ? "$(warning)"
        : status.loading || status.host === "starting"
          ? "$(loading~spin)"
          : "$(sparkle)";
    this.item.text = this.draftAnswering
      ? `$(zap) Coop: ${status.variant} (draft while the target loads)`
      : `${icon} Coop: ${status.variant}`;
    const lines = [
      `Variant: ${status.variant}`,
      `Engine: ${status.loading ? "loading the variant" : status.host}`,
    ];
    if (this.draftAnswering)
      lines.push("Suggestions come from the draft model: the target model is still loading.");
    if (status.error) lines.push(`Error: ${status.error}`);
    if (status.stats?.acceptanceRate !== undefined)
      lines.push(`Speculative acceptance: ${(status.stats.acceptanceRate * 100).toFixed(0)}%`);
    if (status.stats?.tokensPerSecond !== undefined)
      lines.push(`Speed: ${status.stats.tokensPerSecond.toFixed(0)} tokens/s`);
    lines.push("Click to swap the model variant.");
    this.item.tooltip = lines.join("\n");
    this.item.backgroundColor =
      status.error || status.host === "gave-up"
        ? new vscode.ThemeColor("statusBarItem.warningBackground")
        : undefined;
  }
}
