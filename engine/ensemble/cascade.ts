import {
  CompletionCache,
  wantsMultiline,
  type CompletionEngine,
  type CompletionRequest,
  type CompletionResult,
} from "../completion/index.js";
import type { Finding } from "../detector/index.js";
import { decideEscalation, type EscalationDecision } from "./escalation.js";
import manifest from "../../package.json" with { type: "json" };

export interface CascadeOptions {
  /** Escalate when the draft's answer confidence (geometric mean token probability) is below this. */
  minConfidence: number;
  /** Checks an answer with the detector; absent when there is no workspace to check against. */
  check?: (text: string, request: CompletionRequest) => Promise<Finding[]>;
}

/** coop.ensemble.cascadeMinConfidence's default in package.json, for callers that do not pass one. */
export const defaultCascadeMinConfidence =
  manifest.contributes.configuration.properties["coop.ensemble.cascadeMinConfidence"].default;

export interface CascadeOutcome {
  result: CompletionResult;
  servedBy: "draft" | "target";
  /** Present when the draft generated an answer: whether and why it escalated. */
  decision?: EscalationDecision;
  /** What the draft's attempt cost (0 when a cached answer was served). */
  draftMs: number;
  /** What the target's answer cost after an escalation. */
  targetMs?: number;
  /** What the detector found in the draft's answer. */
  findings: Finding[];
  /** The draft's answer, when it escalated and the target answered instead. */
  escalatedDraft?: CompletionResult;
}

/**
 * The probabilities of the tokens that make up the shown text (a prefix of the raw text, give or take
 * trimming).
 */
export function shownTokenProbabilities(result: CompletionResult): number[] {
  return (result.tokenConfidences ?? [])
    .filter((token) => token.start < result.text.length)
    .map((token) => token.probability);
}

/**
 * Inline completion by cascade: the draft model answers first; when its answer is empty, flagged by
 * the detector or unsure, the target answers instead. Answers the cascade accepted from the draft are
 * cached here (with typing-through), apart from the target's cache, so a cached draft answer is
 * always one that passed.
 */
export class Cascade {
  private readonly accepted = new CompletionCache();
  private escalations = 0;
  private attempts = 0;

  constructor(private readonly engines: { draft: CompletionEngine; target: CompletionEngine }) {}

  /** Of the draft answers judged so far, the share handed to the target. */
  get escalationRate(): number | undefined {
    return this.attempts > 0 ? this.escalations / this.attempts : undefined;
  }

  async complete(
    request: CompletionRequest,
    options: CascadeOptions,
    signal?: AbortSignal,
  ): Promise<CascadeOutcome> {
    const known = this.engines.target.answerWithoutGenerating(request);
    if (known) return { result: known, servedBy: "target", draftMs: 0, findings: [] };
    const acceptedBefore = this.cachedDraftAnswer(request);
    if (acceptedBefore) return { result: acceptedBefore, servedBy: "draft", draftMs: 0, findings: [] };

    const draftStarted = performance.now();
    // The draft engine's own cache is bypassed: it would also hold answers that escalated.
    const draft = await this.engines.draft.complete(
      { ...request, tokenConfidence: true, bypassCache: true },
      signal,
    );
    const findings =
      draft.text.trim() === "" || !options.check ? [] : await options.check(draft.text, request);
    const decision = decideEscalation({
      text: draft.text,
      tokenProbabilities: shownTokenProbabilities(draft),
      findings,
      minConfidence: options.minConfidence,
    });
    const draftMs = performance.now() - draftStarted;
    this.attempts++;
    if (!decision.escalate) {
      if (request.grammar === undefined && !request.bypassCache)
        this.accepted.set("cascade", request.document, request.prefix, request.suffix, draft.text);
      return { result: draft, servedBy: "draft", decision, draftMs, findings };
    }
    this.escalations++;
    const targetStarted = performance.now();
    const result = await this.engines.target.complete(request, signal);
    return {
      result,
      servedBy: "target",
      decision,
      draftMs,
      targetMs: performance.now() - targetStarted,
      findings,
      escalatedDraft: draft,
    };
  }

  private cachedDraftAnswer(request: CompletionRequest): CompletionResult | undefined {
    if (request.bypassCache || request.grammar !== undefined || request.sampling !== undefined)
      return undefined;
    const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
    const rest = this.accepted.typedThrough("cascade", request.document, request.prefix, request.suffix);
    if (rest !== undefined) return { text: rest, raw: rest, source: "typing-through", multiline };
    const cached = this.accepted.get("cascade", request.prefix, request.suffix);
    if (cached !== undefined) return { text: cached, raw: cached, source: "cache", multiline };
    return undefined;
  }
}
