import * as vscode from "vscode";

/**
 * Completions paused for a while (the status menu's "snooze"): not a setting, it lasts until the time
 * is up, the user resumes, or the window closes.
 */
export class CompletionSnooze implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private until: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** When the snooze ends (ms since the epoch), while it lasts. */
  get snoozedUntil(): number | undefined {
    return this.until !== undefined && this.until > Date.now() ? this.until : undefined;
  }

  get active(): boolean {
    return this.snoozedUntil !== undefined;
  }

  snooze(minutes: number): void {
    clearTimeout(this.timer);
    this.until = Date.now() + minutes * 60_000;
    this.timer = setTimeout(() => this.resume(), minutes * 60_000);
    this.changed.fire();
  }

  resume(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.until === undefined) return;
    this.until = undefined;
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}
