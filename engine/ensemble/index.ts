// Ensembles of a variant's draft and target: the router picks the model per request, the cascade lets
// the draft answer first, best-of-n picks among candidates, contrastive decoding and token ensembles
// combine two models' distributions.
export {
  routeRequest,
  defaultRouterOptions,
  type RequestKind,
  type Route,
  type RouteDecision,
  type RouteInput,
  type RouterOptions,
  type SpeedQuality,
  type TargetState,
} from "./router.js";
export {
  answerConfidence,
  decideEscalation,
  type EscalationDecision,
  type EscalationInput,
  type EscalationReason,
} from "./escalation.js";
export {
  Cascade,
  defaultCascadeMinConfidence,
  shownTokenProbabilities,
  type CascadeOptions,
  type CascadeOutcome,
} from "./cascade.js";
export type {
  BestOfNCandidateReport,
  BestOfNOutcome,
  CompletionEnsembleSettings,
  ContrastiveSettings,
  EnsembleOutcome,
} from "./settings.js";
export { contrastiveChoice, ensembleChoice, probabilityFloor, validateContrastive } from "./tokenChoice.js";
export { decodeWithTwoModels, type ChooseToken, type TwoModelStep } from "./twoModelDecoding.js";
export {
  bestCandidate,
  compareCandidates,
  defaultBestOfNTemperature,
  drawCandidates,
  maxBestOfN,
  validateBestOfN,
  type BestOfNSettings,
  type CandidateScore,
  type DrawnCandidates,
} from "./bestOfN.js";
export {
  bestCompletionOfN,
  scoreCompletions,
  type BestCompletion,
  type ScoredCompletion,
} from "./completionCandidates.js";
export { PairedContexts, type PairMember, type SequencePair } from "./pairedContexts.js";
export { PairedDecoder } from "./pairedDecoder.js";
export { assertSameTokenizer, TokenizerMismatchError } from "./sameTokenizer.js";
export { EnsembleSettingsError } from "./ensembleSettingsError.js";
export { TokenEnsemble, validateTokenEnsembleSpec, type TokenEnsembleSpec } from "./tokenEnsemble.js";
