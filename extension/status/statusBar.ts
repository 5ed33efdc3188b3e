import * as vscode from "vscode";
import type { EnsembleOutcome } from "../../engine/ensemble/index.js";
import type { EngineConnection, EngineStatus } from "../engine/engineConnection.js";
import type { CoopConfig } from "../settings/config.js";
import type { CompletionSnooze } from "../completions/completionSnooze.js";
import type { EnsembleActivity } from "../completions/ensembleActivity.js";

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

  constructor(
    engine: EngineConnection,
    activity: EnsembleActivity,
    private readonly completions: { config: CoopConfig; snooze: CompletionSnooze },
  ) {
    this.item.name = "Coop";
    this.item.command = "coop.showStatusMenu";
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
      completions.snooze.onDidChange(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("coop.completions")) this.render();
      }),
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

  /** "off", "snoozed until 14:05", or undefined while completions run. */
  private pausedCompletions(): string | undefined {
    if (!this.completions.config.completionsEnabled()) return "off";
    const until = this.completions.snooze.snoozedUntil;
    return until === undefined
      ? undefined
      : `snoozed until ${new Date(until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
  }

  private render(): void {
    const status = this.status;
    const icon =
      status.error || status.host === "crashed" || status.host === "unresponsive" || status.host === "gave-up"
        ? "$(warning)"
        : status.loading || status.host === "starting"
          ? "$(loading~spin)"
          : "$(sparkle)";
    const paused = this.pausedCompletions();
    this.item.text = this.draftAnswering
      ? `$(zap) Coop: ${status.variant} (draft while the target loads)`
      : paused
        ? `$(debug-pause) Coop: ${status.variant} (${paused})`
        : `${icon} Coop: ${status.variant}`;
    const lines = [`Variant: ${status.variant}`, `Engine: ${engineActivity(status)}`];
    if (this.draftAnswering)
      lines.push("Suggestions come from the draft model: the target model is still loading.");
    if (status.error) lines.push(`Error: ${status.error}`);
    if (status.stats?.acceptanceRate !== undefined)
      lines.push(`Speculative acceptance: ${(status.stats.acceptanceRate * 100).toFixed(0)}%`);
    if (status.stats?.tokensPerSecond !== undefined)
      lines.push(`Speed: ${status.stats.tokensPerSecond.toFixed(0)} tokens/s`);
    if (paused) lines.push(`Completions: ${paused}`);
    lines.push("Click for Coop's menu: completions, variant, downloads, chat, log.");
    this.item.tooltip = lines.join("\n");
    this.item.backgroundColor =
      status.error || status.host === "gave-up"
        ? new vscode.ThemeColor("statusBarItem.warningBackground")
        : undefined;
  }
}

/** What the engine is doing, in words: the variant's phase as the engine reports it, else the host's. */
function engineActivity(status: EngineStatus): string {
  if (status.host !== "running") return status.loading ? "loading the variant" : status.host;
  switch (status.variantStatus?.phase) {
    case "switching":
      return "stopping the previous variant";
    case "downloading":
      return "preparing the variant's files (download, build or merge)";
    case "loading":
      return "loading the variant";
    case "failed":
      return "the variant failed to load";
    case "ready":
    case "absent":
    case undefined:
      return status.loading ? "loading the variant" : status.host;
  }
}
