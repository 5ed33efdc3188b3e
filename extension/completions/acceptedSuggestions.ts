import * as vscode from "vscode";
import type { FindingDiagnostics } from "../findings/findingDiagnostics.js";
import { walkthroughStepDone } from "../walkthrough/walkthroughProgress.js";
import { describeOrigin, type SuggestionCandidate } from "./completionCandidates.js";

/** The command each inline completion item runs once VS Code has inserted it. */
export const acceptedCommand = "coop.internal.suggestionAccepted";

/** What an accepted item carries to its command: which document and where, and which candidate. */
export interface AcceptedItem {
  document: vscode.Uri;
  offset: number;
  candidate: SuggestionCandidate;
  /** 1-based position among the items offered, and how many there were. */
  position: number;
  offered: number;
}

/** Builds the inline completion items of one answer, in order, each telling Coop when it is accepted. */
export function suggestionItems(
  document: vscode.TextDocument,
  position: vscode.Position,
  candidates: readonly SuggestionCandidate[],
): vscode.InlineCompletionItem[] {
  const offset = document.offsetAt(position);
  return candidates.map((candidate, index) => {
    const item = new vscode.InlineCompletionItem(candidate.text, new vscode.Range(position, position));
    const accepted: AcceptedItem = {
      document: document.uri,
      offset,
      candidate,
      position: index + 1,
      offered: candidates.length,
    };
    item.command = { command: acceptedCommand, title: "Coop: suggestion accepted", arguments: [accepted] };
    return item;
  });
}

/**
 * Registers the acceptance command: logs which suggestion was accepted (on this machine only) and
 * marks what the detector flagged in it where it now stands in the document.
 */
export function registerAcceptedSuggestions(
  diagnostics: FindingDiagnostics,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.commands.registerCommand(acceptedCommand, (accepted: AcceptedItem) => {
    const document = vscode.workspace.textDocuments.find(
      (open) => open.uri.toString() === accepted.document.toString(),
    );
    const { candidate } = accepted;
    walkthroughStepDone("suggestionAccepted");
    log.info(
      `Accepted suggestion ${accepted.position} of ${accepted.offered} (${describeOrigin(candidate.origin)}).`,
    );
    if (!document) return;
    const offset = whereInserted(document.getText(), candidate.text, accepted.offset);
    if (offset === undefined) {
      log.warn("The accepted suggestion is not where it was inserted; its findings are not marked.");
      return;
    }
    diagnostics.record({ document, offset, text: candidate.text, check: candidate.check });
  });
}

/**
 * Where the accepted text stands: at the cursor it was offered for, or, when edits around it moved
 * it before the command ran, at its nearest occurrence.
 */
function whereInserted(text: string, inserted: string, offered: number): number | undefined {
  if (text.startsWith(inserted, offered)) return offered;
  const before = text.lastIndexOf(inserted, offered);
  const after = text.indexOf(inserted, offered);
  const found = [before, after].filter((offset) => offset >= 0);
  if (found.length === 0) return undefined;
  return found.reduce((best, offset) =>
    Math.abs(offset - offered) < Math.abs(best - offered) ? offset : best,
  );
}
