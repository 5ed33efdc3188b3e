// Ensembles of a variant's draft and target: the router picks the model per request, the cascade lets
// the draft answer first, contrastive decoding and token ensembles combine their distributions.
export { routeRequest, defaultRouterOptions, type RequestKind, type Route, type RouteDecision, type RouteInput, type RouterOptions, type SpeedQuality, type TargetState } from "./router.js";
export { answerConfidence, decideEscalation, type EscalationDecision, type EscalationInput, type EscalationReason } from "./escalation.js";
export { Cascade, defaultCascadeMinConfidence, shownTokenProbabilities, type CascadeOptions, type CascadeOutcome } from "./cascade.js";
export type { CompletionEnsembleSettings, ContrastiveSettings, EnsembleOutcome } from "./settings.js";
export { contrastiveChoice, ensembleChoice, probabilityFloor, validateContrastive } from "./tokenChoice.js";
export { decodeWithTwoModels, type ChooseToken, type TwoModelStep } from "./twoModelDecoding.js";
