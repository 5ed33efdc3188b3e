// Inference backends: one interface for generating text wherever the model runs, in this process
// (node-llama-cpp) or on a server (llama-server, vLLM).
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
  ServerBackend,
  ServerHandshake,
  StopReason,
} from "./backend.js";
export { UnsupportedRequestError } from "./backend.js";
export { LocalBackend } from "./localBackend.js";
export type { LocalBackendFiles, LocalBackendOptions } from "./localBackend.js";
export { RemoteAbortedError, RemoteEngineError, displayEndpoint } from "./errors.js";
export type { RemoteFailure } from "./errors.js";
export { endpointProblem, normalizeEndpoint } from "../host/contract/endpoint.js";
export { RemoteHttpClient } from "./httpClient.js";
export type { RemoteHttpOptions, RetryPolicy } from "./httpClient.js";
export { LlamaServerBackend, adapterName } from "./llamaServerBackend.js";
export type { LlamaServerAdapter, LlamaServerBackendOptions } from "./llamaServerBackend.js";
export { VllmBackend, vllmFimPrompt } from "./vllmBackend.js";
export type { FimTokenTexts, VllmBackendOptions } from "./vllmBackend.js";
export { SseParser, readSseEvents } from "./sse.js";
export type { SseEvent } from "./sse.js";
export { StopTextFilter } from "./stopText.js";
export { statsFromLlamaServerTimings, statsFromOpenAiUsage } from "./remoteStats.js";
