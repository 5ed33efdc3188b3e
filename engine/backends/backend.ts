import { CoopError, coopErrorCodes } from "../errors/index.js";
import type { ContextChunk } from "../completion/fimPrompt.js";
import type { CompletionStats } from "../completion/stats.js";

/**
 * What an inference backend does for Coop, wherever the model runs: the local engine (node-llama-cpp
 * in this process, LocalBackend) or a remote server (llama-server, vLLM). Prompt building for
 * chat, retrieval, the detector and post-processing stay in Coop and run locally for every backend;
 * a backend only turns a FIM request or a conversation into streamed text, with stats.
 */
export interface InferenceBackend {
  readonly kind: BackendKind;
  /**
   * Fills in the middle between `prefix` and `suffix`, grounded in `chunks`; calls `onChunk` with each
   * new piece of text as it is generated. Aborting `signal` rejects with an error named "AbortError".
   */
  complete(
    request: FimRequest,
    signal?: AbortSignal,
    onChunk?: (text: string) => void,
  ): Promise<BackendCompletion>;
  /**
   * Continues a conversation (the backend applies the model's chat template); calls `onText` with each
   * new piece. Aborting `signal` resolves with the text so far and stopReason "aborted".
   */
  chat(
    request: ChatRequest,
    signal?: AbortSignal,
    onText?: (text: string) => void,
  ): Promise<BackendChatAnswer>;
  /** Totals over the recent requests (the status bar's speed and acceptance). */
  stats(): BackendStats;
  dispose(): Promise<void>;
}

export type BackendKind = "local" | "llama-server" | "vllm";

/** What a server says of itself when Coop connects. */
export interface ServerHandshake {
  /** Tokens of one request's context, when the server says. */
  contextSize?: number;
  /** The server speculates with a draft model of its own. */
  speculative: boolean;
}

/** An inference server as a backend: reached over HTTP, serving adapters by name. */
export interface ServerBackend extends InferenceBackend {
  /** Checks that the server is up and serves the model and `adapters`; says what it knows of itself. */
  handshake(adapters: readonly AdapterSelection[], signal?: AbortSignal): Promise<ServerHandshake>;
  /** Checks, on a server already reached, that it serves `adapters` (a swap between its variants). */
  checkAdapters(adapters: readonly AdapterSelection[], signal?: AbortSignal): Promise<void>;
}

/**
 * A request this backend cannot serve as asked (an option it does not have); the message says what to change.
 */
export class UnsupportedRequestError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.unsupportedRequest, message);
    this.name = "UnsupportedRequestError";
  }
}

/**
 * A LoRA adapter applied to one request: by its name (a models.json adapter id or the server's name for it).
 */
export interface AdapterSelection {
  name: string;
  scale: number;
}

export interface FimRequest {
  prefix: string;
  suffix: string;
  /** Retrieved context, most useful first. */
  chunks?: readonly ContextChunk[];
  /** Workspace-relative path of the current file (the repo-level FIM layout names it). */
  path?: string;
  projectName?: string;
  maxTokens: number;
  /** Generation stops before any of these strings. */
  stop?: readonly string[];
  /** Absent: greedy decoding. */
  sampling?: { temperature: number; seed?: number };
  /** Adapters for this request only; absent: the variant's defaults; empty: none. */
  adapters?: readonly AdapterSelection[];
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  messages: readonly ChatMessage[];
  maxTokens: number;
  stop?: readonly string[];
  sampling?: { temperature: number; seed?: number };
  adapters?: readonly AdapterSelection[];
}

export type StopReason = "eos" | "limit" | "stop" | "aborted";

export interface BackendCompletion {
  text: string;
  stopReason: StopReason;
  stats: CompletionStats;
  /** The adapters the server reports it applied (llama-server: by id, with their scales), when it says. */
  appliedAdapters?: { id: number; scale: number }[];
}

export interface BackendChatAnswer {
  text: string;
  stopReason: StopReason;
  stats: CompletionStats;
}

export interface BackendStats {
  requests: number;
  acceptanceRate?: number;
  tokensPerSecond?: number;
}
