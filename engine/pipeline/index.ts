export { CooperativeEngine } from "./cooperativeEngine.js";
export type { CooperativeEngineOptions } from "./cooperativeEngine.js";
export { NoVariantLoadedError } from "./variantSlot.js";
export type { VariantPhase, VariantStatus } from "./variantSlot.js";
export type { VariantCapabilities, VariantCapability } from "./capabilities.js";
export { RequestInputError } from "./requestLimits.js";
export { CompletionScheduler } from "./completionScheduler.js";
