// The engine host's extension side: starts the engine process and speaks to it through the contract.
export { EngineHostClient, defaultResponseTimeoutMs } from "./engineHostClient.js";
export {
  EngineCrashedError,
  EngineGaveUpError,
  EngineRequestError,
  EngineTimeoutError,
} from "./engineHostErrors.js";
export type { EngineHostOptions, EngineHostState } from "./engineHostClient.js";
