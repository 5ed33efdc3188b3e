// The engine host's engine side: what runs in the engine process (hostMain.ts is its entry point).
export { InProcessEngine } from "./inProcessEngine.js";
export { RemoteVariantEngine } from "./remoteVariantEngine.js";
export type { RemoteVariantEngineOptions } from "./remoteVariantEngine.js";
export { DispatchingEngine } from "./dispatchingEngine.js";
export type { DispatchingEngineOptions, EnginePlace } from "./dispatchingEngine.js";
export { RemoteApiKeyStore } from "./remoteApiKeyStore.js";
export { RequestInputError } from "./requestLimits.js";
