import { wantsMultiline, type CompletionGenerator, type CompletionRequest } from "../completion/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";
import type { DetectorPolicy, Finding } from "../detector/index.js";
import {
  bestCompletionOfN,
  defaultCascadeMinConfidence,
  routeRequest,
  validateBestOfN,
  type BestOfNOutcome,
  type Cascade,
  type EnsembleOutcome,
} from "../ensemble/index.js";
import type { ChunkListener, EngineCompletion, EngineCompletionRequest } from "../host/contract/index.js";
import { completeChecked } from "../repair/index.js";
import type { VariantCapability } from "./capabilities.js";
import {
  checkSuggestion,
  findingsIn,
  reportCheckedBy,
  reportFinding,
  shownOrHidden,
  type SuggestionCheck,
} from "./completionCheck.js";
import { groundingFor } from "./grounding.js";
import type { LoadedVariant } from "./loadedVariant.js";
import type { StageClock } from "./stageClock.js";

/** The draft answering while its target loads, as the router sees it. */
export interface WarmingDraft {
  completion: CompletionGenerator;
  countTokens(text: string): number;
}

/** What a completion runs with: the variant (or only its draft, while the target loads), the workspace. */
export interface CompletionContext {
  variant: LoadedVariant | undefined;
  warming: WarmingDraft | undefined;
  cooperators: WorkspaceCooperators | undefined;
  clock: StageClock;
  /** Waits for the target once the draft did not serve; rejects when no variant is loaded. */
  untilTarget(): Promise<LoadedVariant>;
  /** Says once per variant that a setting asked for a capability it lacks, and what is done instead. */
  lacking(variant: LoadedVariant, capability: VariantCapability, instead: string): void;
}

/** The target's answer: best of several candidates when the request asks for it and it applies. */
export function completeOnTarget(
  context: CompletionContext,
  variant: LoadedVariant,
  request: EngineCompletionRequest,
  signal: AbortSignal,
  onChunk?: ChunkListener,
): Promise<EngineCompletion> {
  const settings = request.bestOfN;
  if (settings) validateBestOfN(settings);
  const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
  const wantsBest =
    settings !== undefined &&
    settings.n > 1 &&
    multiline &&
    request.grammar === undefined &&
    !variant.completion.answerWithoutGenerating(request);
  if (wantsBest && !variant.scoring)
    context.lacking(variant, "likelihood", "one suggestion is generated instead of the best of several");
  if (!wantsBest || !variant.scoring)
    return completeOn(context, variant, variant.completion, request, signal, onChunk);
  return completeBestOfN(context, variant, request, settings, signal, onChunk);
}

/**
 * Retrieval, generation on `generator`, and the detector's check with its policy (a repair needs a
 * grammar: without one, a suggestion the repair would regenerate is hidden).
 */
export async function completeOn(
  context: CompletionContext,
  variant: LoadedVariant | undefined,
  generator: CompletionGenerator,
  request: EngineCompletionRequest,
  signal: AbortSignal,
  onChunk?: ChunkListener,
): Promise<EngineCompletion> {
  const { cooperators, clock } = context;
  const chunks = await groundingFor(request, generator, cooperators, variant?.compressor, clock, signal);
  const grounded = { ...request, chunks };
  if (!request.check || !cooperators) {
    const result = await clock.time("generation", () => generator.complete(grounded, signal, onChunk));
    return { ...result, contextChunks: chunks.length };
  }
  const policy = checkPolicy(context, variant, request.check.policy);
  // Which checker judged the last text checked: the one shown (a repair's, when it replaced the first).
  let verdict: SuggestionCheck | undefined;
  const findingsOf = async (text: string, asked: CompletionRequest): Promise<Finding[]> => {
    verdict = await checkSuggestion(text, { ...asked, path: request.path }, request.check!, cooperators);
    return verdict.findings;
  };
  const checked = await clock.time("detector", () =>
    completeChecked(
      clock.timedGenerator(generator),
      grounded,
      {
        ...request.check!,
        policy,
        workspace: cooperators.detectorWorkspace,
        path: request.path,
        findingsIn: findingsOf,
      },
      signal,
    ),
  );
  const reported = checked.repaired ? (checked.repairedFindings ?? []) : checked.findings;
  return {
    ...checked.result,
    contextChunks: chunks.length,
    check: {
      action: checked.action,
      repaired: checked.repaired,
      findings: reported.map(reportFinding),
      ...reportCheckedBy(verdict),
    },
    ...(checked.originalText === undefined
      ? {}
      : {
          alternatives: [
            {
              text: checked.originalText,
              origin: "before-repair" as const,
              findings: reported.map(reportFinding),
            },
          ],
        }),
  };
}

/** The policy as the variant can apply it: a repair without a grammar hides instead. */
function checkPolicy(
  context: CompletionContext,
  variant: LoadedVariant | undefined,
  policy: DetectorPolicy,
): DetectorPolicy {
  if (policy !== "repair" || !variant || variant.capabilities.grammar) return policy;
  context.lacking(variant, "grammar", "the repair policy hides suggestions with names that do not exist");
  return "suppress";
}

/**
 * Best-of-n: candidates drawn and judged (detector, then the target's likelihood), the winner kept
 * in the cache as this request's answer, then served through the usual check and policy (so a
 * flagged winner is annotated, hidden or repaired as always, and typing through it works).
 */
async function completeBestOfN(
  context: CompletionContext,
  variant: LoadedVariant,
  request: EngineCompletionRequest,
  settings: NonNullable<EngineCompletionRequest["bestOfN"]>,
  signal: AbortSignal,
  onChunk?: ChunkListener,
): Promise<EngineCompletion> {
  const { cooperators, clock } = context;
  const scoring = variant.scoring!;
  const chunks = await groundingFor(request, scoring, cooperators, variant.compressor, clock, signal);
  const grounded = { ...request, chunks, bypassCache: false };
  const check = request.check && cooperators && request.check.policy !== "off" ? request.check : undefined;
  const best = await clock.time("generation", () =>
    bestCompletionOfN(
      scoring,
      grounded,
      settings,
      check
        ? (text) => clock.time("detector", () => findingsIn(text, request, check, cooperators!))
        : undefined,
      signal,
    ),
  );
  const winner = best.candidates[best.chosen]!;
  scoring.remember(grounded, winner.result.text);
  const served = await completeOn(context, variant, scoring, grounded, signal);
  // Nothing streamed while the candidates were drawn: the winner comes in one piece.
  if (onChunk && winner.result.raw !== "") onChunk(winner.result.raw);
  const outcome: BestOfNOutcome = {
    candidates: best.candidates.map((candidate) => ({ text: candidate.result.text, ...candidate.score })),
    chosen: best.chosen,
    dropped: best.dropped,
  };
  return {
    ...served,
    raw: winner.result.raw,
    source: "generated",
    ...(winner.result.stats ? { stats: winner.result.stats } : {}),
    bestOfN: outcome,
  };
}

/** The router picks the model: the draft alone (also while the target loads), a cascade, or the target. */
export async function completeRouted(
  context: CompletionContext,
  request: EngineCompletionRequest,
  signal: AbortSignal,
  onChunk?: ChunkListener,
): Promise<EngineCompletion> {
  const settings = request.ensemble!;
  const { variant, warming } = context;
  const draftOnly = warming?.completion ?? variant?.draftOnly;
  const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
  // Retrieved chunks are left out: their budget is fixed and small next to the file around the cursor.
  const countTokens = (text: string): number => (warming ?? variant!).countTokens(text);
  const decision = routeRequest(
    {
      kind: multiline ? "inline-multi-line" : "inline-single-line",
      contextTokens: countTokens(request.prefix + request.suffix),
      preference: settings.preference,
      target: warming ? "loading" : "loaded",
      draftAvailable: draftOnly !== undefined,
    },
    { longContextTokens: settings.longContextTokens ?? 1024 },
  );
  const outcome = (
    servedBy: "draft" | "target",
    escalation?: EnsembleOutcome["escalation"],
  ): EnsembleOutcome => ({
    route: decision.route,
    servedBy,
    draftWhileTargetLoads: decision.draftWhileTargetLoads,
    reason: decision.reason,
    ...(escalation ? { escalation } : {}),
  });
  if (decision.route === "draft")
    return {
      ...(await completeOn(context, variant, draftOnly!, request, signal, onChunk)),
      ensemble: outcome("draft"),
    };
  if (!variant) {
    const loaded = await context.untilTarget();
    return completeOnTarget(context, loaded, { ...request, ensemble: undefined }, signal, onChunk);
  }
  if (decision.route === "target" || !variant.cascade)
    return {
      ...(await completeOnTarget(context, variant, request, signal, onChunk)),
      ensemble: outcome("target"),
    };
  return completeByCascade(
    context,
    variant,
    variant.cascade,
    request,
    settings.minConfidence ?? defaultCascadeMinConfidence,
    outcome,
    signal,
  );
}

async function completeByCascade(
  context: CompletionContext,
  variant: LoadedVariant,
  cascade: Cascade,
  request: EngineCompletionRequest,
  minConfidence: number,
  outcome: (servedBy: "draft" | "target", escalation?: EnsembleOutcome["escalation"]) => EnsembleOutcome,
  signal: AbortSignal,
): Promise<EngineCompletion> {
  const { cooperators, clock } = context;
  const chunks = await groundingFor(
    request,
    variant.completion,
    cooperators,
    variant.compressor,
    clock,
    signal,
  );
  const grounded = { ...request, chunks };
  const check = request.check && cooperators ? request.check : undefined;
  const ran = await clock.time("generation", () =>
    cascade.complete(
      grounded,
      {
        minConfidence,
        check:
          check && check.policy !== "off"
            ? (text, asked) =>
                clock.time("detector", () =>
                  findingsIn(text, { ...asked, path: request.path }, check, cooperators!),
                )
            : undefined,
      },
      signal,
    ),
  );
  const escalation = ran.decision
    ? { escalated: ran.decision.escalate, reason: ran.decision.reason, confidence: ran.decision.confidence }
    : undefined;
  const ensemble = outcome(ran.servedBy, escalation);
  if (!check) return { ...ran.result, contextChunks: chunks.length, ensemble };
  if (ran.servedBy === "target") {
    // The target's answer is in its cache now: the usual check (and repair) costs no second generation.
    const served = await completeOn(context, variant, variant.completion, grounded, signal);
    const draftText = ran.escalatedDraft?.text ?? "";
    const draft =
      draftText.trim() === ""
        ? []
        : [{ text: draftText, origin: "cascade-draft" as const, findings: ran.findings.map(reportFinding) }];
    const alternatives = [...(served.alternatives ?? []), ...draft];
    return { ...served, ensemble, ...(alternatives.length > 0 ? { alternatives } : {}) };
  }
  // A draft answer the cascade kept has no certain finding: the policy can only show or annotate it.
  const checked = ran.decision
    ? { findings: ran.findings }
    : await clock.time("detector", () => checkSuggestion(ran.result.text, request, check, cooperators!));
  return {
    ...ran.result,
    contextChunks: chunks.length,
    ensemble,
    check: shownOrHidden(checked.findings, check.policy, "checkedBy" in checked ? checked : undefined),
  };
}
