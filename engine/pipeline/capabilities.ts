import { UnsupportedRequestError } from "../backends/index.js";

/**
 * What a variant's backend can do beyond generating text. The pipeline decides from these, never from
 * which backend it is: a request that needs a capability the backend lacks is refused with
 * UnsupportedRequestError (when the request asked for it), or served without it and said once in the
 * log (when a setting asks for it on every request: the detector's repair, best of n).
 */
export interface VariantCapabilities {
  /** Grammar-constrained generation: grammar requests and the detector's repair. */
  grammar: boolean;
  /** The target's likelihood of a given text: best of n judges its candidates by it. */
  likelihood: boolean;
  /** Per-token probabilities and a draft that answers alone: the router's draft route and the cascade. */
  draftRouting: boolean;
  /** Contrastive chat answers (the target against the draft, both in this process). */
  contrastiveChat: boolean;
  /** Self-information under the draft: retrieved context over budget is compressed before it is dropped. */
  selfInformation: boolean;
  /** The server speculates with a draft of its own. */
  serverSpeculation: boolean;
}

export type VariantCapability = keyof VariantCapabilities;

const needs: Record<VariantCapability, string> = {
  grammar: "grammar-constrained completions",
  likelihood: "best-of-n judging by likelihood",
  draftRouting: "routing to the draft model",
  contrastiveChat: "contrastive chat answers",
  selfInformation: "context compression by the draft",
  serverSpeculation: "server-side speculation",
};

/** Refuses a request needing `capability` when the variant lacks it; `where` says where it runs. */
export function requireCapability(
  capabilities: VariantCapabilities,
  capability: VariantCapability,
  variant: string,
  where: string,
): void {
  if (capabilities[capability]) return;
  throw new UnsupportedRequestError(
    `Variant ${variant} runs on ${where}, which cannot serve ${needs[capability]}: they need the model in this process`,
  );
}

/** What a capability gives, in words (log lines). */
export function capabilityName(capability: VariantCapability): string {
  return needs[capability];
}
