export { CompletionEngine, answerFromCache, defaultCompletionEngineOptions } from "./completionEngine.js";
export {
  CancelledBySwapError,
  CompletionAbortedError,
  RequestShedError,
  SupersededRequestError,
  cancellationOf,
} from "./cancellation.js";
export type {
  SequenceLane,
  CompletionEngineOptions,
  CompletionRequest,
  CompletionResult,
  GeneratedTokenConfidence,
} from "./completionEngine.js";
export type { CompletionStats } from "./stats.js";
export { buildFimPrompt } from "./fimPrompt.js";
export type { ContextChunk, FimPrompt, FimPromptInput } from "./fimPrompt.js";
export { NoFillInMiddleError, fimTokensOf } from "./fimTokens.js";
export type { FimTokens } from "./fimTokens.js";
export { postprocessCompletion } from "./postprocess.js";
export { wantsMultiline } from "./multiline.js";
export { CompletionCache } from "./completionCache.js";
export type { CompletionGenerator, ScoringGenerator } from "./completionGenerator.js";
export { Debounce, defaultDebounceMs } from "./debounce.js";
export { reuseEvaluatedPrefix } from "./sequenceReuse.js";
export { continuationLogProbabilities, meanLogProbability } from "./continuationLikelihood.js";
export type { TokenDecoder } from "./tokenDecoder.js";
