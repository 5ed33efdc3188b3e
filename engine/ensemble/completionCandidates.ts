import type { CompletionRequest, CompletionResult, ScoringGenerator } from "../completion/index.js";
import { isCertain, type Finding } from "../detector/index.js";
import {
  bestCandidate,
  defaultBestOfNTemperature,
  drawCandidates,
  type BestOfNSettings,
  type CandidateScore,
} from "./bestOfN.js";

export interface ScoredCompletion {
  result: CompletionResult;
  /** The seed it was sampled with; absent for the greedy answer. */
  seed?: number;
  findings: Finding[];
  score: CandidateScore;
}

export interface BestCompletion {
  /** Distinct candidates in the order drawn (the greedy answer first). */
  candidates: ScoredCompletion[];
  /** The chosen one's position in `candidates`. */
  chosen: number;
  dropped: number;
}

/**
 * Best-of-n for an inline completion: the greedy answer, then answers sampled with distinct seeds
 * while the budget lasts; each distinct text is checked by `check` (when given) and scored by the
 * target's likelihood of it (the target evaluates the text after the request's own prompt), and the
 * one with the fewest findings, then the highest likelihood, wins.
 */
export async function bestCompletionOfN(
  completion: ScoringGenerator,
  request: CompletionRequest,
  settings: BestOfNSettings,
  check: ((text: string) => Promise<Finding[]>) | undefined,
  signal?: AbortSignal,
): Promise<BestCompletion> {
  const temperature = settings.temperature ?? defaultBestOfNTemperature;
  const drawn = await drawCandidates<{ result: CompletionResult; seed?: number }>(
    settings,
    async (index, drawSignal) => {
      if (index === 0)
        return { result: await completion.complete({ ...request, bypassCache: true }, drawSignal) };
      return {
        result: await completion.complete({ ...request, sampling: { temperature, seed: index } }, drawSignal),
        seed: index,
      };
    },
    signal,
  );
  const distinct = drawn.candidates.filter(
    (candidate, index) =>
      drawn.candidates.findIndex((other) => other.result.text === candidate.result.text) === index,
  );
  const candidates = await scoreCompletions(completion, request, distinct, check, signal);
  return {
    candidates,
    chosen: bestCandidate(candidates.map((candidate) => candidate.score)),
    dropped: drawn.dropped,
  };
}

/**
 * Each answer with what `check` finds in it and the target's mean log-probability of its text after the
 * request's prompt.
 */
export async function scoreCompletions(
  completion: ScoringGenerator,
  request: CompletionRequest,
  answers: readonly { result: CompletionResult; seed?: number }[],
  check: ((text: string) => Promise<Finding[]>) | undefined,
  signal?: AbortSignal,
): Promise<ScoredCompletion[]> {
  const scored: ScoredCompletion[] = [];
  for (const answer of answers) {
    const text = answer.result.text;
    const findings = text.trim() === "" || !check ? [] : await check(text);
    const { meanLogProbability } = await completion.continuationLikelihood(request, text, signal);
    scored.push({
      ...answer,
      findings,
      score: {
        certainFindings: findings.filter(isCertain).length,
        findings: findings.length,
        ...(meanLogProbability === undefined ? {} : { meanLogProbability }),
      },
    });
  }
  return scored;
}
