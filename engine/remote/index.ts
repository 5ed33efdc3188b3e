export type {
  AdapterSelection,
  BackendChatAnswer,
  BackendCompletion,
  BackendKind,
  BackendStats,
  ChatMessage,
  ChatRequest,
  FimRequest,
  InferenceBackend,
  StopReason,
} from "./backend.js";
export { RemoteAbortedError, RemoteEngineError, displayEndpoint } from "./errors.js";
export type { RemoteFailure } from "./errors.js";
export { RemoteHttpClient } from "./httpClient.js";
export type { RemoteHttpOptions, RetryPolicy } from "./httpClient.js";
export { LlamaServerBackend, adapterName } from "./llamaServerBackend.js";
export type { LlamaServerAdapter, LlamaServerBackendOptions } from "./llamaServerBackend.js";
export { VllmBackend, vllmFimPrompt } from "./vllmBackend.js";
export type { FimTokenTexts, VllmBackendOptions } from "./vllmBackend.js";
export { SseParser, readSseEvents } from "./sse.js";
export type { SseEvent } from "./sse.js";
export { statsFromLlamaServerTimings, statsFromOpenAiUsage } from "./remoteStats.js";
