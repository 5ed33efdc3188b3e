import type { CompletionCheck, EngineCompletion } from "../../engine/host/contract/index.js";
import type { DetectorPolicy } from "../settings/config.js";

/** Where a suggestion offered in the editor came from. */
export type CandidateOrigin = "answer" | "best-of-n" | "cascade-draft" | "before-repair";

/** One inline completion item's text, what the detector said of it, and where it came from. */
export interface SuggestionCandidate {
  text: string;
  origin: CandidateOrigin;
  check?: CompletionCheck;
}

/**
 * The suggestions to offer for one answer, in order: the answer itself, then the other best-of-n
 * candidates in the order drawn, then the cascade draft's answer the target replaced, then the text a
 * repair replaced. Empty and repeated texts are left out; under `suppress`, so is any alternative
 * that uses something that does not exist (the policy hides those, whichever candidate they are).
 */
export function completionCandidates(
  result: Pick<EngineCompletion, "text" | "bestOfN" | "alternatives">,
  check: CompletionCheck | undefined,
  policy: DetectorPolicy,
): SuggestionCandidate[] {
  const offered: SuggestionCandidate[] = [{ text: result.text, origin: "answer", check }];
  const bestOfN = result.bestOfN;
  if (bestOfN) {
    for (const [index, candidate] of bestOfN.candidates.entries()) {
      if (index === bestOfN.chosen) continue;
      if (policy === "suppress" && candidate.certainFindings > 0) continue;
      offered.push({ text: candidate.text, origin: "best-of-n" });
    }
  }
  for (const alternative of result.alternatives ?? []) {
    const certain = alternative.findings.some((finding) => finding.kind !== "lowConfidence");
    if (policy === "suppress" && certain) continue;
    offered.push({
      text: alternative.text,
      origin: alternative.origin,
      check: {
        action: alternative.findings.length > 0 ? "annotate" : "show",
        repaired: false,
        findings: alternative.findings,
      },
    });
  }
  const seen = new Set<string>();
  return offered.filter((candidate) => {
    if (candidate.text.trim() === "" || seen.has(candidate.text)) return false;
    seen.add(candidate.text);
    return true;
  });
}

/** "best-of-n candidate", for the log. */
export function describeOrigin(origin: CandidateOrigin): string {
  switch (origin) {
    case "answer":
      return "the engine's answer";
    case "best-of-n":
      return "another best-of-n candidate";
    case "cascade-draft":
      return "the cascade draft's answer";
    case "before-repair":
      return "the text before the repair";
  }
}

/**
 * Remembers the suggestions last offered at a place (document, version, offset). VS Code asks again
 * when the user cycles to the next suggestion; the engine then answers from its cache with the answer
 * alone, and the alternatives drawn the first time would be lost. Plain code, no editor.
 */
export class OfferedCandidates {
  private last: { at: string; candidates: SuggestionCandidate[] } | undefined;

  /** The fresh candidates, or those offered here before when a cached answer repeats their first. */
  offer(at: string, fresh: SuggestionCandidate[]): SuggestionCandidate[] {
    const last = this.last;
    if (
      fresh.length === 1 &&
      last !== undefined &&
      last.at === at &&
      last.candidates.length > 1 &&
      last.candidates[0]!.text === fresh[0]!.text
    )
      return last.candidates;
    this.last = { at, candidates: fresh };
    return fresh;
  }
}
