import type { CompletionGenerator, CompletionRequest, CompletionResult } from "../completion/index.js";
import {
  applyPolicy,
  detect,
  isCertain,
  passesDetector,
  repairContext,
  type DetectorPolicy,
  type DetectorWorkspace,
  type Finding,
} from "../detector/index.js";
import type { LanguageId } from "../syntax/index.js";

export interface CheckOptions {
  language: LanguageId;
  workspace: DetectorWorkspace;
  policy: DetectorPolicy;
  /** Workspace-relative path of the file, for relative imports. */
  path?: string;
  /** The check of a suggestion, when not the fast detector's alone (the pipeline adds the compiler's). */
  findingsIn?: (text: string, request: CompletionRequest) => Promise<Finding[]>;
}

export interface CheckedCompletion {
  result: CompletionResult;
  /** What the detector found in the suggestion that is shown (or hidden). */
  findings: Finding[];
  /** show: as is; annotate: with the findings; hide: not at all. */
  action: "show" | "annotate" | "hide";
  /** The suggestion was regenerated with the nearest definitions and passed the detector. */
  repaired: boolean;
  /** The findings of the first suggestion, when a repair replaced it. */
  repairedFindings?: Finding[];
  /** The first suggestion's text, when a repair replaced it. */
  originalText?: string;
}

/**
 * A completion checked by the detector, with the policy applied. `repair` is the De-Hallucinator
 * loop: on a finding, regenerate the wrong names once with the definitions nearest them in the prompt,
 * steered by a grammar of existing names; keep the result only if the detector passes it.
 */
export async function completeChecked(
  engine: CompletionGenerator,
  request: CompletionRequest,
  options: CheckOptions,
  signal?: AbortSignal,
): Promise<CheckedCompletion> {
  const result = await engine.complete(request, signal);
  if (options.policy === "off" || result.text === "")
    return { result, findings: [], action: "show", repaired: false };
  const findings = await check(result.text, request, options);
  const decision = applyPolicy(findings, options.policy);
  if (decision.action === "show")
    return { result, findings, action: findings.length > 0 ? "annotate" : "show", repaired: false };
  if (decision.action === "hide") return { result, findings, action: "hide", repaired: false };

  const repairedText = await repairNames(engine, request, result.text, findings, options, signal);
  if (repairedText !== undefined) {
    const repairedFindings = await check(repairedText, request, options);
    if (passesDetector(repairedFindings)) {
      return {
        result: { ...result, text: repairedText },
        findings: repairedFindings,
        action: repairedFindings.length > 0 ? "annotate" : "show",
        repaired: true,
        repairedFindings: findings,
        originalText: result.text,
      };
    }
  }
  // The repair did not pass either: nothing is better than a suggestion that invents names.
  return { result, findings, action: "hide", repaired: false };
}

/**
 * Regenerates each wrong name in place, last first so earlier offsets hold: the model sees the
 * definitions nearest the wrong names in its prompt and the suggestion around the name, and a grammar
 * lets it write only one of the existing names nearest to the wrong one, so it picks the likeliest.
 * Undefined when a wrong name has no existing name near it.
 */
async function repairNames(
  engine: CompletionGenerator,
  request: CompletionRequest,
  text: string,
  findings: readonly Finding[],
  options: CheckOptions,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const wrong = findings.filter(isCertain).sort((a, b) => b.span.start - a.span.start);
  const context = repairContext(wrong, options.workspace);
  let repaired = text;
  for (const finding of wrong) {
    const candidates = finding.suggestions.filter((name) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name));
    if (candidates.length === 0) return undefined;
    const answer = await engine.complete(
      {
        ...request,
        document: `${request.document}#repair`,
        prefix: request.prefix + repaired.slice(0, finding.span.start),
        suffix: repaired.slice(finding.span.end) + request.suffix,
        chunks: [{ path: "definitions used nearby", text: context.promptText }, ...(request.chunks ?? [])],
        grammar: `root ::= ${candidates.map((name) => JSON.stringify(name)).join(" | ")}`,
        bypassCache: true,
        multiline: false,
        maxTokens: 32,
      },
      signal,
    );
    const chosen =
      candidates.find((name) => answer.raw === name) ??
      candidates.find((name) => answer.raw.startsWith(name));
    if (chosen === undefined) return undefined;
    repaired = repaired.slice(0, finding.span.start) + chosen + repaired.slice(finding.span.end);
  }
  return repaired;
}

function check(text: string, request: CompletionRequest, options: CheckOptions): Promise<Finding[]> {
  if (options.findingsIn) return options.findingsIn(text, request);
  return detect(text, {
    language: options.language,
    workspace: options.workspace,
    prefixContext: request.prefix,
    suffixContext: request.suffix,
    path: options.path,
  });
}
