export { engineErrorCodes, errorCodeOf, isCancellation } from "./errorCodes.js";
export type { EngineErrorCode } from "./errorCodes.js";
