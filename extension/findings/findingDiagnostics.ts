import * as vscode from "vscode";
import type { CompletionCheck } from "../../engine/host/contract/index.js";
import type { CoopConfig } from "../settings/config.js";
import { type CompletionFinding, locateFindings, spanAfterEdit, stillWritten } from "./findingSpans.js";
import { nameExistsElsewhere } from "./nameExists.js";

/** A suggestion the user accepted, where it now stands in the document, and what the detector said of it. */
export interface AcceptedSuggestion {
  document: vscode.TextDocument;
  /** Where the suggestion's text starts in the document. */
  offset: number;
  text: string;
  check?: CompletionCheck;
}

/**
 * A flagged name in a document, tracked through edits: the diagnostic, the hover and the quick fixes
 * read it.
 */
export interface MarkedFinding {
  finding: CompletionFinding;
  /** What is written at the mark (the name, or a member's name). */
  marked: string;
  start: number;
  end: number;
}

/** How long after the last edit Coop asks the language servers whether a flagged name exists now. */
const existenceCheckDelayMs = 700;

/**
 * The detector's findings on accepted suggestions, as diagnostics (source "Coop") on the names they
 * flag. A mark follows edits around it and goes when the name is edited, when the document closes, or
 * when the name comes to exist (a language server knows a definition outside the accepted text).
 */
export class FindingDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("coop");
  private readonly marks = new Map<string, MarkedFinding[]>();
  private readonly subscriptions: vscode.Disposable[];
  private existenceTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly config: CoopConfig,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.followEdits(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidSaveTextDocument(() => this.scheduleExistenceCheck()),
      vscode.workspace.onDidCreateFiles(() => this.scheduleExistenceCheck()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration("coop.detector.diagnostics")) return;
        for (const uri of [...this.marks.keys()]) {
          const scope = vscode.Uri.parse(uri);
          if (!this.config.findingDiagnostics(scope)) this.forget(scope);
        }
      }),
    ];
  }

  /** Marks the flagged names of an accepted suggestion (unless coop.detector.diagnostics is off). */
  record(accepted: AcceptedSuggestion): void {
    const findings = accepted.check?.repaired ? [] : (accepted.check?.findings ?? []);
    if (findings.length === 0) return;
    if (!this.config.findingDiagnostics(accepted.document)) {
      this.log.info("The accepted suggestion's findings are not marked: coop.detector.diagnostics is off.");
      return;
    }
    const spans = locateFindings(accepted.text, findings).map((span) => ({
      ...span,
      start: span.start + accepted.offset,
      end: span.end + accepted.offset,
    }));
    if (spans.length === 0) return;
    const key = accepted.document.uri.toString();
    this.marks.set(key, [...(this.marks.get(key) ?? []), ...spans]);
    this.publish(accepted.document);
    this.log.info(
      `Marked ${spans.map((span) => span.marked).join(", ")} in ${vscode.workspace.asRelativePath(accepted.document.uri)}.`,
    );
  }

  /** The mark at a position of a document, if any. */
  markAt(document: vscode.TextDocument, position: vscode.Position): MarkedFinding | undefined {
    const offset = document.offsetAt(position);
    return this.marks
      .get(document.uri.toString())
      ?.find((mark) => mark.start <= offset && offset <= mark.end);
  }

  /** The marks a range of a document overlaps or touches. */
  marksIn(document: vscode.TextDocument, range: vscode.Range): MarkedFinding[] {
    const start = document.offsetAt(range.start);
    const end = document.offsetAt(range.end);
    return (this.marks.get(document.uri.toString()) ?? []).filter(
      (mark) => mark.start <= end && start <= mark.end,
    );
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.existenceTimer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
    this.marks.clear();
  }

  private followEdits(event: vscode.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    const marks = this.marks.get(key);
    if (event.contentChanges.length > 0) this.scheduleExistenceCheck();
    if (!marks || event.contentChanges.length === 0) return;
    // Each change's offsets are into the document before any of the event's changes, and the
    // changes do not overlap: applied from the last to the first, earlier offsets stay valid.
    const changes = [...event.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
    let kept: MarkedFinding[] = marks;
    for (const change of changes) {
      const edit = {
        start: change.rangeOffset,
        end: change.rangeOffset + change.rangeLength,
        insertedLength: change.text.length,
      };
      kept = kept.flatMap((mark) => {
        const moved = spanAfterEdit(mark, edit);
        return moved ? [{ ...mark, ...moved }] : [];
      });
    }
    const text = event.document.getText();
    kept = kept.filter((mark) => stillWritten(text, mark.start, mark.marked));
    if (kept.length === marks.length && kept.every((mark, index) => mark.start === marks[index]!.start))
      return;
    if (kept.length < marks.length) this.log.info(`A flagged name was edited; its Coop diagnostic is gone.`);
    this.setMarks(event.document.uri, kept);
    this.publish(event.document);
  }

  private scheduleExistenceCheck(): void {
    if (this.marks.size === 0) return;
    clearTimeout(this.existenceTimer);
    this.existenceTimer = setTimeout(() => void this.dropNamesThatExist(), existenceCheckDelayMs);
  }

  /** Asks the language servers about every marked name; a name they know is no longer flagged. */
  private async dropNamesThatExist(): Promise<void> {
    for (const [key, marks] of [...this.marks.entries()]) {
      const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === key);
      if (!document) continue;
      const names = [...new Set(marks.map((mark) => mark.marked))];
      const existing = new Set<string>();
      for (const name of names) {
        const kind = marks.find((mark) => mark.marked === name)!.finding.kind;
        const own = marks
          .filter((mark) => mark.marked === name)
          .map((mark) => new vscode.Range(document.positionAt(mark.start), document.positionAt(mark.end)));
        if (await nameExistsElsewhere(name, kind, document, own)) existing.add(name);
      }
      if (this.disposed || existing.size === 0 || this.marks.get(key) !== marks) continue;
      this.log.info(`${[...existing].join(", ")} exist${existing.size === 1 ? "s" : ""} now; unmarked.`);
      this.setMarks(
        document.uri,
        marks.filter((mark) => !existing.has(mark.marked)),
      );
      this.publish(document);
    }
  }

  private setMarks(uri: vscode.Uri, marks: MarkedFinding[]): void {
    if (marks.length === 0) this.marks.delete(uri.toString());
    else this.marks.set(uri.toString(), marks);
  }

  private forget(uri: vscode.Uri): void {
    if (!this.marks.delete(uri.toString())) return;
    this.collection.delete(uri);
  }

  private publish(document: vscode.TextDocument): void {
    const marks = this.marks.get(document.uri.toString()) ?? [];
    this.collection.set(
      document.uri,
      marks.map((mark) => {
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(document.positionAt(mark.start), document.positionAt(mark.end)),
          findingMessage(mark.finding),
          severityOf(mark.finding.kind),
        );
        diagnostic.source = "Coop";
        diagnostic.code = mark.finding.kind;
        return diagnostic;
      }),
    );
  }
}

/** "`resolvedMessages` does not exist (unknown symbol). Did you mean resolveMessages?" */
export function findingMessage(finding: CompletionFinding): string {
  const what =
    finding.kind === "lowConfidence"
      ? `the model was unsure of \`${finding.name}\``
      : `\`${finding.name}\` does not exist (${describeKind(finding.kind)})`;
  const fixes =
    finding.suggestions.length > 0
      ? ` Did you mean ${finding.suggestions
          .slice(0, 3)
          .map((name) => `\`${name}\``)
          .join(" or ")}?`
      : "";
  return `Coop's suggestion: ${what}.${fixes}`;
}

export function describeKind(kind: CompletionFinding["kind"]): string {
  switch (kind) {
    case "unknownSymbol":
      return "unknown symbol";
    case "unknownMember":
      return "unknown member";
    case "unknownPackage":
      return "unknown package";
    case "lowConfidence":
      return "low confidence";
  }
}

/** A name or member that does not exist fails at build or run time; an unsure token is only a hint. */
function severityOf(kind: CompletionFinding["kind"]): vscode.DiagnosticSeverity {
  switch (kind) {
    case "unknownSymbol":
    case "unknownMember":
      return vscode.DiagnosticSeverity.Warning;
    case "unknownPackage":
      return vscode.DiagnosticSeverity.Error;
    case "lowConfidence":
      return vscode.DiagnosticSeverity.Information;
  }
}
