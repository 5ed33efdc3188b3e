// What both sides of the engine host import: the engine's API types, the wire protocol, the input
// limits and the spelling of remote endpoints. Nothing here loads a model or a parser.
export type {
  ChatAttachment,
  ChatCodeBlock,
  ChatEvent,
  ChatEventListener,
  ChatSource,
  ChatTurn,
  EngineChatAnswer,
  EngineChatRequest,
  DownloadVariantRequest,
  CatalogVariantRequest,
  ChunkListener,
  CompletionCheck,
  EngineCompletion,
  CompletionTimings,
  EngineCompletionRequest,
  WorkspaceChange,
  EditedDocument,
  WorkspaceRequest,
  CoopEngine,
  EngineMemory,
  EngineProgress,
  EngineStats,
  ProgressListener,
  VariantSpec,
  VariantState,
  InputTrim,
  VariantPhase,
  VariantStatus,
  ChatBestOfNBlock,
  CompletionAlternative,
} from "./engineApi.js";
export { inputLimits, editorWindow, keepEnd, keepStart } from "./inputLimits.js";
export { normalizeEndpoint, endpointProblem } from "./endpoint.js";
export { parseRemoteApiKeys } from "./remoteApiKeys.js";
export type { RemoteApiKey } from "./remoteApiKeys.js";
export {
  parseHostMessage,
  parseHostRequest,
  parseChatEvent,
  engineMethods,
  serializeError,
} from "./protocol.js";
export type { EngineMethods, EngineMethod, HostMessage, HostRequest, SerializedError } from "./protocol.js";
export { variantPhases } from "./engineApi.js";
