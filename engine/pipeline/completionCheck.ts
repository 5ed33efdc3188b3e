import { applyPolicy, detect, type DetectorPolicy, type Finding } from "../detector/index.js";
import type { CompletionCheck, EngineCompletionRequest } from "../host/contract/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";

/** A detector finding as the engine's API reports it. */
export function reportFinding(finding: Finding): CompletionCheck["findings"][number] {
  return {
    kind: finding.kind,
    name: finding.name,
    evidence: finding.evidence,
    suggestions: finding.suggestions,
  };
}

/**
 * The check of a suggestion under a policy that shows or hides only (no repair): shown with its
 * findings as annotations, or hidden.
 */
export function shownOrHidden(findings: readonly Finding[], policy: DetectorPolicy): CompletionCheck {
  const decision = applyPolicy(findings, policy);
  return {
    action: decision.action === "show" ? (decision.annotations.length > 0 ? "annotate" : "show") : "hide",
    repaired: false,
    findings: decision.annotations.map(reportFinding),
  };
}

/** What the detector finds in `text` written between the request's prefix and suffix. */
export function findingsIn(
  text: string,
  request: Pick<EngineCompletionRequest, "prefix" | "suffix" | "path">,
  check: NonNullable<EngineCompletionRequest["check"]>,
  cooperators: WorkspaceCooperators,
): Promise<Finding[]> {
  return detect(text, {
    language: check.language,
    workspace: cooperators.detectorWorkspace,
    prefixContext: request.prefix,
    suffixContext: request.suffix,
    path: request.path,
  });
}
