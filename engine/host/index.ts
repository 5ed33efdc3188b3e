// All three sides of the engine host, for the CLI and the tests. The extension imports contract/ and
// client/ only: server/ loads models and parsers that belong in the engine process.
export * from "./contract/index.js";
export * from "./client/index.js";
export * from "./server/index.js";
export { engineErrorCodes, errorCodeOf, isCancellation } from "../errors/index.js";
export type { EngineErrorCode } from "../errors/index.js";
export { WorkspaceRootError } from "../workspace/index.js";
