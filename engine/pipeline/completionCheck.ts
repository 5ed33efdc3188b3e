import { applyPolicy, detect, type DetectorPolicy, type Finding } from "../detector/index.js";
import { withCompilerVerdict, type CheckedBy, type CompilerVerdict } from "../detector/typescript/index.js";
import type { CompletionCheck, EngineCompletionRequest } from "../host/contract/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";
import { isJavaScriptFamily } from "../syntax/index.js";

/** The compiler's time for one check when the request does not say (coop.detector.compilerBudgetMs). */
export const defaultCompilerBudgetMs = 60;

/** A detector finding as the engine's API reports it. */
export function reportFinding(finding: Finding): CompletionCheck["findings"][number] {
  return {
    kind: finding.kind,
    name: finding.name,
    evidence: finding.evidence,
    suggestions: finding.suggestions,
  };
}

/** Which checker judged, as the engine's API reports it. */
export function reportCheckedBy(
  verdict: CheckedBy | undefined,
): Pick<CompletionCheck, "checkedBy" | "checkReason"> {
  if (verdict === undefined) return {};
  return verdict.reason === undefined
    ? { checkedBy: verdict.checkedBy }
    : { checkedBy: verdict.checkedBy, checkReason: verdict.reason };
}

/**
 * The check of a suggestion under a policy that shows or hides only (no repair): shown with its
 * findings as annotations, or hidden.
 */
export function shownOrHidden(
  findings: readonly Finding[],
  policy: DetectorPolicy,
  verdict?: CheckedBy,
): CompletionCheck {
  const decision = applyPolicy(findings, policy);
  return {
    action: decision.action === "show" ? (decision.annotations.length > 0 ? "annotate" : "show") : "hide",
    repaired: false,
    findings: decision.annotations.map(reportFinding),
    ...reportCheckedBy(verdict),
  };
}

/** The detector's findings in a suggestion and which checker judged them. */
export type SuggestionCheck = { findings: Finding[] } & CheckedBy;

/**
 * The product's check of `text` written between the request's prefix and suffix: the fast checker, and
 * for TypeScript and JavaScript the compiler in its thread at the same time, whose verdict within the
 * request's budget is combined with the fast one (see withCompilerVerdict); without it the fast one stands.
 */
export async function checkSuggestion(
  text: string,
  request: Pick<EngineCompletionRequest, "prefix" | "suffix" | "path">,
  check: NonNullable<EngineCompletionRequest["check"]>,
  cooperators: WorkspaceCooperators,
): Promise<SuggestionCheck> {
  const compiled = isJavaScriptFamily(check.language)
    ? compilerVerdict(text, request, check, cooperators)
    : undefined;
  const fast = await detect(text, {
    language: check.language,
    workspace: cooperators.detectorWorkspace,
    prefixContext: request.prefix,
    suffixContext: request.suffix,
    path: request.path,
  });
  if (compiled === undefined) return { findings: fast, checkedBy: "fast" };
  return withCompilerVerdict(fast, await compiled, text, request.prefix);
}

function compilerVerdict(
  text: string,
  request: Pick<EngineCompletionRequest, "prefix" | "suffix" | "path">,
  check: NonNullable<EngineCompletionRequest["check"]>,
  cooperators: WorkspaceCooperators,
): Promise<CompilerVerdict> {
  const budgetMs = check.compilerBudgetMs ?? defaultCompilerBudgetMs;
  if (budgetMs <= 0)
    return Promise.resolve({
      judged: false,
      reason: "the compiler's check is off (coop.detector.compilerBudgetMs is 0)",
    });
  if (cooperators.typeScript === undefined)
    return Promise.resolve({
      judged: false,
      reason: "the workspace has no TypeScript or JavaScript project",
    });
  const { path, prefix, suffix } = request;
  return cooperators.typeScript.check({ path, prefix, snippet: text, suffix }, budgetMs);
}

/** What the detector finds in `text` between the request's prefix and suffix (see checkSuggestion). */
export async function findingsIn(
  text: string,
  request: Pick<EngineCompletionRequest, "prefix" | "suffix" | "path">,
  check: NonNullable<EngineCompletionRequest["check"]>,
  cooperators: WorkspaceCooperators,
): Promise<Finding[]> {
  return (await checkSuggestion(text, request, check, cooperators)).findings;
}
