// All three sides of the engine host, for the CLI and the tests. The extension imports contract/ and
// client/ only: server/ loads models and parsers that belong in the engine process.
export * from "./contract/index.js";
export * from "./client/index.js";
export * from "./server/index.js";
export { CooperativeEngine, NoVariantLoadedError, RequestInputError } from "../pipeline/index.js";
export type { CooperativeEngineOptions, VariantPhase, VariantStatus } from "../pipeline/index.js";
export {
  CoopError,
  coopErrorCodes,
  describeError,
  errorCodeOf,
  hasCode,
  isCancellation,
} from "../errors/index.js";
export type { CoopErrorCode } from "../errors/index.js";
export { WorkspaceRootError } from "../workspace/index.js";
