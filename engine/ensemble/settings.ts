import type { EscalationReason } from "./escalation.js";
import type { Route, SpeedQuality } from "./router.js";

/**
 * Per-request ensemble settings of an inline completion (the extension's settings, sent with each request).
 */
export interface CompletionEnsembleSettings {
  preference: SpeedQuality;
  /**
   * A cascade escalates when the draft's answer confidence is below this (0..1;
   * coop.ensemble.cascadeMinConfidence).
   */
  minConfidence?: number;
  /** Context tokens above which the draft never answers first (coop.ensemble.longContextTokens). */
  longContextTokens?: number;
}

/** Contrastive decoding's two knobs (Li et al. 2022). */
export interface ContrastiveSettings {
  /** Weight of the amateur (draft): score = log p_target - alpha * log p_draft. 0 is plain greedy. */
  alpha: number;
  /** Adaptive plausibility: only tokens with p_target >= beta * max p_target compete (0..1). */
  beta: number;
}

/** Which model answered a request and why; `draftWhileTargetLoads` is what the status bar says. */
export interface EnsembleOutcome {
  route: Route;
  servedBy: "draft" | "target";
  draftWhileTargetLoads: boolean;
  reason: string;
  /** A cascade's judgement of the draft's answer. */
  escalation?: { escalated: boolean; reason?: EscalationReason; confidence: number };
}

/** One candidate of best-of-n as reported: its text, what the detector found, the target's likelihood. */
export interface BestOfNCandidateReport {
  text: string;
  certainFindings: number;
  findings: number;
  /** The target's mean log-probability per token; absent for an empty candidate. */
  meanLogProbability?: number;
}

/** Which of the drawn candidates a best-of-n answer is, and what the others scored. */
export interface BestOfNOutcome {
  /** Distinct candidates in the order drawn (the greedy answer first). */
  candidates: BestOfNCandidateReport[];
  /** The chosen one's position in `candidates`. */
  chosen: number;
  /** Candidates not finished within the time budget (or unusable). */
  dropped: number;
}
