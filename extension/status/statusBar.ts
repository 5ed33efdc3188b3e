import * as vscode from "vscode";
import type { EngineConnection, EngineStatus } from "../engine/engineConnection.js";

/** The active variant, the engine's state and the last speculative acceptance rate and speed. */
export class CoopStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("coop.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;

  constructor(engine: EngineConnection) {
    this.item.name = "Coop";
    this.item.command = "coop.swapVariant";
    this.render(engine.current);
    this.subscription = engine.onDidChangeStatus((status) => this.render(status));
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private render(status: EngineStatus): void {
    const icon = status.error || status.host === "crashed" || status.host === "gave-up" ? "$(warning)" : status.loading || status.host === "starting" ? "$(loading~spin)" : "$(sparkle)";
    this.item.text = `${icon} Coop: ${status.variant}`;
    const lines = [`Variant: ${status.variant}`, `Engine: ${status.loading ? "loading the variant" : status.host}`];
    if (status.error) lines.push(`Error: ${status.error}`);
    if (status.stats?.acceptanceRate !== undefined) lines.push(`Speculative acceptance: ${(status.stats.acceptanceRate * 100).toFixed(0)}%`);
    if (status.stats?.tokensPerSecond !== undefined) lines.push(`Speed: ${status.stats.tokensPerSecond.toFixed(0)} tokens/s`);
    lines.push("Click to swap the model variant.");
    this.item.tooltip = lines.join("\n");
    this.item.backgroundColor = status.error || status.host === "gave-up" ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }
}
