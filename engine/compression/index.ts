export { compressContext } from "./compressContext.js";
export type { CompressedContext, CompressionOptions } from "./compressContext.js";
export { draftLineSelfInformation } from "./draftSelfInformation.js";
