import type { Finding } from "../finding.js";
import type { CompilerVerdict } from "./typeScriptProject.js";

/** Which checker's verdict a suggestion got, and, for the fast one, why the compiler's is not there. */
export interface CheckedBy {
  checkedBy: "compiler" | "fast";
  /** Why the compiler did not judge (absent when it did). */
  reason?: string;
}

/**
 * The fast checker's findings with the compiler's verdict: where the compiler judged, its findings on
 * names, members and modules replace the fast checker's, which keeps only what the compiler does not
 * check: low-confidence spans, and packages loaded by `require()` or by a side-effect `import "x"`.
 * `before` is the text before the snippet (the prefix), to see how a module is loaded.
 */
export function withCompilerVerdict(
  fast: readonly Finding[],
  verdict: CompilerVerdict,
  snippet: string,
  before: string,
): { findings: Finding[] } & CheckedBy {
  if (!verdict.judged) return { findings: [...fast], checkedBy: "fast", reason: verdict.reason };
  const text = before + snippet;
  const uncheckedByCompiler = (finding: Finding): boolean =>
    finding.kind === "lowConfidence" ||
    (finding.kind === "unknownPackage" &&
      loadedOutsideImports(text.slice(0, before.length + finding.span.start)));
  const kept = fast.filter(uncheckedByCompiler);
  const overlaps = (a: Finding, b: Finding): boolean =>
    a.span.start < b.span.end && b.span.start < a.span.end;
  const findings = [
    ...verdict.findings,
    ...kept.filter(
      (finding) => finding.kind === "lowConfidence" || !verdict.findings.some((c) => overlaps(c, finding)),
    ),
  ];
  return {
    findings: findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end),
    checkedBy: "compiler",
  };
}

/** Whether the module specifier after `before` (past its quote) is a require()'s or an `import "x"`'s. */
function loadedOutsideImports(before: string): boolean {
  const head = before.slice(0, -1);
  return /\brequire\s*\(\s*$/.test(head) || /(?:^|[;\n{}])\s*import\s*$/.test(head);
}
