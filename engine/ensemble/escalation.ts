import { isCertain, type Finding } from "../detector/index.js";

export interface EscalationInput {
  /** The draft's answer as it would be shown. */
  text: string;
  /** The draft's probability of each token of that answer. */
  tokenProbabilities: readonly number[];
  /** What the detector found in the answer (empty when nothing checked it). */
  findings: readonly Finding[];
  /** Escalate when the answer's confidence is below this (0..1). */
  minConfidence: number;
}

export type EscalationReason = "empty" | "detector" | "lowConfidence";

export interface EscalationDecision {
  escalate: boolean;
  reason?: EscalationReason;
  /** The answer's confidence: the geometric mean of its tokens' probabilities (1 for no tokens). */
  confidence: number;
}

/**
 * The geometric mean of the tokens' probabilities: how sure the model was per token on average, so a
 * long answer is not punished for its length the way the product would punish it.
 */
export function answerConfidence(probabilities: readonly number[]): number {
  if (probabilities.length === 0) return 1;
  const logSum = probabilities.reduce(
    (sum, probability) => sum + Math.log(Math.max(probability, Number.MIN_VALUE)),
    0,
  );
  return Math.exp(logSum / probabilities.length);
}

/**
 * Whether a cascade hands the request to the target: when the draft gave nothing, when the detector
 * flags a name that certainly does not exist, or when the draft was unsure of its answer.
 */
export function decideEscalation(input: EscalationInput): EscalationDecision {
  const confidence = answerConfidence(input.tokenProbabilities);
  if (input.text.trim() === "") return { escalate: true, reason: "empty", confidence };
  if (input.findings.some(isCertain)) return { escalate: true, reason: "detector", confidence };
  if (confidence < input.minConfidence) return { escalate: true, reason: "lowConfidence", confidence };
  return { escalate: false, confidence };
}
