export { compressContext } from "./compressContext.js";
export type { CompressedContext, CompressionOptions } from "./compressContext.js";
export type { ContextCompressor, FitRequest, FittedContext } from "./contextCompressor.js";
export { createDraftCompressor } from "./draftCompressor.js";
export type { DraftCompressorOptions } from "./draftCompressor.js";
export { draftLineSelfInformation } from "./draftSelfInformation.js";
export { fitContext } from "./fitContext.js";
export { tokenSurprisals } from "./tokenSurprisal.js";
