// The engine host's extension side: starts the engine process and speaks to it through the contract.
export {
  EngineHostClient,
  EngineCrashedError,
  EngineGaveUpError,
  EngineRequestError,
  EngineTimeoutError,
  defaultResponseTimeoutMs,
} from "./engineHostClient.js";
export type { EngineHostOptions, EngineHostState } from "./engineHostClient.js";
