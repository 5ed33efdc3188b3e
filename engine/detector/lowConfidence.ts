import type { Finding, Span } from "./finding.js";

/** The model's probability for one token of the snippet (offsets in the snippet). */
export interface TokenConfidence {
  start: number;
  end: number;
  probability: number;
}

const defaultThreshold = 0.05;

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Low-confidence spans: runs of adjacent unlikely tokens that hold code (not only whitespace or
 * punctuation) and that no other check already judged, existing or not.
 */
export function lowConfidenceFindings(
  snippet: string,
  tokens: readonly TokenConfidence[],
  judged: readonly Span[],
  threshold = defaultThreshold,
): Finding[] {
  const findings: Finding[] = [];
  let run: { span: Span; lowest: number } | undefined;
  const close = (): void => {
    if (run === undefined) return;
    const text = snippet.slice(run.span.start, run.span.end);
    if (/[A-Za-z0-9_]/.test(text) && !judged.some((span) => overlaps(span, run!.span))) {
      findings.push({
        kind: "lowConfidence",
        span: run.span,
        name: text.trim(),
        evidence: `the model gave this ${text.trim().length > 1 ? "text" : "token"} probability ${run.lowest.toFixed(3)} (below ${threshold})`,
        suggestions: [],
      });
    }
    run = undefined;
  };
  for (const token of [...tokens].sort((a, b) => a.start - b.start)) {
    if (token.probability >= threshold) {
      close();
      continue;
    }
    if (run !== undefined && token.start <= run.span.end) {
      run.span.end = Math.max(run.span.end, token.end);
      run.lowest = Math.min(run.lowest, token.probability);
    } else {
      close();
      run = { span: { start: token.start, end: token.end }, lowest: token.probability };
    }
  }
  close();
  return findings;
}
