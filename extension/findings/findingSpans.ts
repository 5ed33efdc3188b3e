import type { CompletionCheck } from "../../engine/host/contract/index.js";

export type CompletionFinding = CompletionCheck["findings"][number];

/** Where, in an accepted suggestion's text, a finding's name is written (UTF-16 offsets, end exclusive). */
export interface FindingSpan {
  finding: CompletionFinding;
  /** What is marked: the identifier itself, or for `receiver.member` the member. */
  marked: string;
  start: number;
  end: number;
}

/**
 * Every whole-word occurrence of each finding's name in the suggestion's text. A member finding
 * (`order.totl`) marks its member where it follows the receiver; a package finding marks the module
 * specifier inside its quotes. Plain code, no editor: the extension turns these into ranges.
 */
export function locateFindings(text: string, findings: readonly CompletionFinding[]): FindingSpan[] {
  const spans: FindingSpan[] = [];
  for (const finding of findings) {
    const member = finding.kind === "unknownMember" ? finding.name.split(".").pop() : undefined;
    const marked = member ?? finding.name;
    if (marked === "") continue;
    const pattern =
      finding.kind === "unknownPackage"
        ? new RegExp(`(?<=["'\`])${escape(marked)}(?=["'\`])`, "g")
        : new RegExp(`(?<![\\w$])${escape(marked)}(?![\\w$])`, "g");
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      if (member !== undefined && text[start - 1] !== ".") continue;
      spans.push({ finding, marked, start, end: start + marked.length });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** A text edit as offsets into the document before it: `[start, end)` replaced by `insertedLength` chars. */
export interface OffsetEdit {
  start: number;
  end: number;
  insertedLength: number;
}

/**
 * Where a marked span is after an edit: moved by the edit's change in length when the edit is before
 * it, unchanged when after, and gone (undefined) when the edit overlaps it: the name was edited, so
 * the finding no longer says anything about what is written there. An insertion touching the span
 * keeps it; whether the name is still a whole word there is `stillWritten`'s question.
 */
export function spanAfterEdit(
  span: { start: number; end: number },
  edit: OffsetEdit,
): { start: number; end: number } | undefined {
  if (edit.end <= span.start) return shift(span, edit.insertedLength - (edit.end - edit.start));
  if (edit.start >= span.end) return span;
  return undefined;
}

/** The document still reads `marked` at `start`, as a whole word (not glued to other word characters). */
export function stillWritten(text: string, start: number, marked: string): boolean {
  if (text.slice(start, start + marked.length) !== marked) return false;
  const wordChar = /[\w$]/;
  return !wordChar.test(text[start - 1] ?? "") && !wordChar.test(text[start + marked.length] ?? "");
}

function shift(span: { start: number; end: number }, by: number): { start: number; end: number } {
  return { start: span.start + by, end: span.end + by };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
