import type { Token } from "node-llama-cpp";
import { EnsembleSettingsError } from "./ensembleSettingsError.js";
import type { ContrastiveSettings } from "./settings.js";

/** A token's probability is never taken as exactly 0 in a logarithm: log(0) would decide by itself. */
export const probabilityFloor = 1e-12;

const logOf = (probability: number | undefined): number =>
  Math.log(Math.max(probability ?? 0, probabilityFloor));

/**
 * Contrastive decoding's choice (Li et al. 2022): among the tokens the expert finds plausible
 * (p_expert >= beta * max p_expert), the one maximising log p_expert - alpha * log p_amateur. Ties go
 * to the expert's likelier token, then to the lower token id.
 */
export function contrastiveChoice(
  expert: ReadonlyMap<Token, number>,
  amateur: ReadonlyMap<Token, number>,
  settings: ContrastiveSettings,
): Token {
  validateContrastive(settings);
  let highest = 0;
  for (const probability of expert.values()) highest = Math.max(highest, probability);
  let best: { token: Token; score: number; probability: number } | undefined;
  for (const [token, probability] of expert) {
    if (probability < settings.beta * highest) continue;
    const score = logOf(probability) - settings.alpha * logOf(amateur.get(token));
    if (
      best === undefined ||
      score > best.score ||
      (score === best.score &&
        (probability > best.probability || (probability === best.probability && token < best.token)))
    ) {
      best = { token, score, probability };
    }
  }
  if (best === undefined)
    throw new Error("contrastive decoding got an empty distribution from the target model");
  return best.token;
}

/**
 * The most likely token of the weighted average of several models' distributions (weights need not sum to 1).
 */
export function ensembleChoice(
  members: readonly { probabilities: ReadonlyMap<Token, number>; weight: number }[],
): Token {
  if (
    members.length === 0 ||
    members.some((member) => !(member.weight >= 0)) ||
    members.every((member) => member.weight === 0)
  ) {
    throw new EnsembleSettingsError(
      "a token ensemble needs at least one member and non-negative weights that are not all 0",
    );
  }
  const mixed = new Map<Token, number>();
  for (const { probabilities, weight } of members) {
    for (const [token, probability] of probabilities)
      mixed.set(token, (mixed.get(token) ?? 0) + weight * probability);
  }
  let best: { token: Token; probability: number } | undefined;
  for (const [token, probability] of mixed) {
    if (
      best === undefined ||
      probability > best.probability ||
      (probability === best.probability && token < best.token)
    )
      best = { token, probability };
  }
  return best!.token;
}

export function validateContrastive(settings: ContrastiveSettings): void {
  if (!(settings.alpha >= 0) || !Number.isFinite(settings.alpha))
    throw new EnsembleSettingsError(`contrastive alpha must be a number >= 0, got ${settings.alpha}`);
  if (!(settings.beta >= 0 && settings.beta <= 1))
    throw new EnsembleSettingsError(`contrastive beta must be between 0 and 1, got ${settings.beta}`);
}
