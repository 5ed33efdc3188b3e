import { EnsembleSettingsError } from "./ensembleSettingsError.js";

/** Best-of-n's knobs: how many candidates and how long drawing them may take. */
export interface BestOfNSettings {
  /** Candidates to draw, the greedy answer included (1: best-of-n is off). */
  n: number;
  /**
   * Milliseconds for drawing them; a candidate not finished by then is dropped (the first is always kept).
   */
  budgetMs: number;
  /** Sampling temperature of the candidates after the first (default 0.8). */
  temperature?: number;
}

export const defaultBestOfNTemperature = 0.8;
export const maxBestOfN = 16;

export function validateBestOfN(settings: BestOfNSettings): void {
  if (!(Number.isSafeInteger(settings.n) && settings.n >= 1 && settings.n <= maxBestOfN))
    throw new EnsembleSettingsError(`best-of-n needs n between 1 and ${maxBestOfN}, got ${settings.n}`);
  if (!(
    typeof settings.budgetMs === "number" &&
    Number.isFinite(settings.budgetMs) &&
    settings.budgetMs >= 0
  ))
    throw new EnsembleSettingsError(`best-of-n needs a time budget in ms >= 0, got ${settings.budgetMs}`);
  const temperature = settings.temperature ?? defaultBestOfNTemperature;
  if (!(temperature > 0 && temperature <= 2))
    throw new EnsembleSettingsError(
      `best-of-n's sampling temperature must be above 0 and at most 2, got ${temperature}`,
    );
}

/** How a candidate is judged: by the detector first, then by the target's likelihood of it. */
export interface CandidateScore {
  /** Names the detector is certain do not exist. */
  certainFindings: number;
  /** All findings, the uncertain ones included. */
  findings: number;
  /** The target's mean log-probability per token of the candidate; absent for an empty candidate. */
  meanLogProbability?: number;
}

/**
 * Negative when `a` ranks before `b`: fewer certain findings, then fewer findings, then the higher
 * likelihood under the target (an empty candidate after any other). Equal candidates keep their order.
 */
export function compareCandidates(a: CandidateScore, b: CandidateScore): number {
  if (a.certainFindings !== b.certainFindings) return a.certainFindings - b.certainFindings;
  if (a.findings !== b.findings) return a.findings - b.findings;
  const likelihood = (score: CandidateScore) => score.meanLogProbability ?? Number.NEGATIVE_INFINITY;
  const difference = likelihood(b) - likelihood(a);
  return Number.isNaN(difference) ? 0 : difference;
}

/** The best candidate's position in `scores` (the first of equals). */
export function bestCandidate(scores: readonly CandidateScore[]): number {
  if (scores.length === 0) throw new Error("best-of-n has no candidate to choose from");
  let best = 0;
  for (let index = 1; index < scores.length; index++)
    if (compareCandidates(scores[index]!, scores[best]!) < 0) best = index;
  return best;
}

export interface DrawnCandidates<T> {
  /** In the order drawn, the first one first. */
  candidates: T[];
  /** Candidates not drawn: not finished within the budget, not started, or unusable. */
  dropped: number;
}

/**
 * Draws up to n candidates one after another: `draw(0)` is always awaited and kept (only `signal`
 * stops it); later ones are aborted when the budget runs out, and dropped. `draw` returns undefined
 * for a candidate it cannot use. Stops early, with what it has, when `signal` aborts.
 */
export async function drawCandidates<T>(
  settings: BestOfNSettings,
  draw: (index: number, signal: AbortSignal) => Promise<T | undefined>,
  signal?: AbortSignal,
  startedAt = performance.now(),
): Promise<DrawnCandidates<T>> {
  validateBestOfN(settings);
  const candidates: T[] = [];
  let dropped = 0;
  for (let index = 0; index < settings.n; index++) {
    const remaining = settings.budgetMs - (performance.now() - startedAt);
    if (index > 0 && (remaining <= 0 || signal?.aborted)) {
      dropped += settings.n - index;
      break;
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    const timer = index > 0 ? setTimeout(() => controller.abort(), remaining) : undefined;
    try {
      const candidate = await draw(index, controller.signal);
      if (candidate === undefined) dropped++;
      else candidates.push(candidate);
    } catch (error) {
      if (index === 0 || !controller.signal.aborted) throw error;
      dropped += settings.n - index;
      break;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
  return { candidates, dropped };
}
