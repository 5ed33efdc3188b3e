import type { CompletionCheck } from "../../engine/host/contract/index.js";

/** What Coop: Explain Last Suggestion says of a suggestion, and whether it is a warning. */
export function explainSuggestion(last: { text: string; check?: CompletionCheck }): {
  warning: boolean;
  message: string;
} {
  const { check } = last;
  const judge = check ? checkerSentence(check) : "";
  if (!check || check.findings.length === 0)
    return {
      warning: false,
      message: `Coop's last suggestion uses only names that exist: ${last.text.slice(0, 80)}${judge}`,
    };
  const verdict = check.repaired
    ? "was repaired: it used"
    : check.action === "hide"
      ? "was hidden: it uses"
      : "uses";
  return { warning: true, message: `Coop's last suggestion ${verdict} ${describeFindings(check)}.${judge}` };
}

/** " Checked by the TypeScript compiler." or why the fast checker's verdict is all there is. */
function checkerSentence(check: CompletionCheck): string {
  if (check.checkedBy === "compiler") return " Checked by the TypeScript compiler.";
  if (check.checkedBy === "fast" && check.checkReason !== undefined)
    return ` Checked by the fast checker only: ${check.checkReason}.`;
  return "";
}

/** "computeTotals (unknown symbol; did you mean computeTotal?)", for the status bar and the log. */
export function describeFindings(check: CompletionCheck): string {
  return check.findings
    .map(
      (finding) =>
        `${finding.name} (${finding.kind.replace(/([A-Z])/g, " $1").toLowerCase()}${finding.suggestions.length > 0 ? `; did you mean ${finding.suggestions.slice(0, 2).join(" or ")}?` : ""})`,
    )
    .join(", ");
}
