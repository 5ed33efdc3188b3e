import * as vscode from "vscode";
import type { EnsembleOutcome } from "../../engine/ensemble/index.js";

/**
 * Which model answered the last routed completion, for whoever shows it (the status bar): the
 * completion provider reports each answer's outcome here.
 */
export class EnsembleActivity implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EnsembleOutcome | undefined>();
  readonly onDidChange = this.changed.event;
  private last: EnsembleOutcome | undefined;

  get lastOutcome(): EnsembleOutcome | undefined {
    return this.last;
  }

  report(outcome: EnsembleOutcome | undefined): void {
    this.last = outcome;
    this.changed.fire(outcome);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
