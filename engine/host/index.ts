export type {
  ChatAttachment,
  ChatCodeBlock,
  ChatEvent,
  ChatEventListener,
  ChatSource,
  ChatTurn,
  EngineChatAnswer,
  EngineChatRequest,
} from "./engineApi.js";
export type {
  DownloadVariantRequest,
  CatalogVariantRequest,
  ChunkListener,
  CompletionCheck,
  EngineCompletion,
  EngineCompletionRequest,
  WorkspaceRequest,
  CoopEngine,
  EngineMemory,
  EngineProgress,
  EngineStats,
  ProgressListener,
  VariantSpec,
  VariantState,
} from "./engineApi.js";
export type { InputTrim } from "./engineApi.js";
export { inputLimits, editorWindow } from "./inputLimits.js";
export { RequestInputError } from "./requestLimits.js";
export { WorkspaceRootError } from "../workspace/index.js";
export { InProcessEngine } from "./inProcessEngine.js";
export { RemoteVariantEngine } from "./remoteVariantEngine.js";
export type { RemoteVariantEngineOptions } from "./remoteVariantEngine.js";
export { DispatchingEngine } from "./dispatchingEngine.js";
export type { DispatchingEngineOptions, EnginePlace } from "./dispatchingEngine.js";
export { RemoteApiKeyStore, parseRemoteApiKeys } from "./remoteApiKeys.js";
export type { RemoteApiKey } from "./remoteApiKeys.js";
export {
  EngineHostClient,
  EngineCrashedError,
  EngineGaveUpError,
  EngineRequestError,
  EngineTimeoutError,
} from "./engineHostClient.js";
export { engineErrorCodes, errorCodeOf, isCancellation } from "./errorCodes.js";
export type { EngineErrorCode } from "./errorCodes.js";
export type { EngineHostOptions, EngineHostState } from "./engineHostClient.js";
export { parseHostMessage, parseHostRequest, parseChatEvent, engineMethods } from "./protocol.js";
export type { EngineMethods, EngineMethod, HostMessage, HostRequest } from "./protocol.js";
