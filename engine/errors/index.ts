// Coop's errors: the base class, the stable codes the extension decides on, and the one formatter of
// anything thrown. This folder imports nothing from the rest of the engine.
export { CoopError } from "./coopError.js";
export { coopErrorCodes, errorCodeOf, hasCode, isCancellation, isCoopErrorCode } from "./errorCodes.js";
export type { CoopErrorCode } from "./errorCodes.js";
export { describeError } from "./describeError.js";
