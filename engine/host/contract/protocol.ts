import { describeError, errorCodeOf, isCoopErrorCode, type CoopErrorCode } from "../../errors/index.js";
import type {
  CatalogVariantRequest,
  ChatEvent,
  ChatSource,
  DownloadVariantRequest,
  EngineChatAnswer,
  EngineChatRequest,
  EngineCompletion,
  EngineCompletionRequest,
  EngineMemory,
  EngineProgress,
  EngineStats,
  VariantPhase,
  VariantSpec,
  VariantState,
  VariantStatus,
  WorkspaceChange,
  WorkspaceRequest,
} from "./engineApi.js";
import { variantPhases } from "./engineApi.js";
import type { RemoteApiKey } from "./remoteApiKeys.js";

/** Every RPC method of the engine host: its parameters and its result. */
export interface EngineMethods {
  loadVariant: { params: VariantSpec; result: VariantState };
  loadCatalogVariant: { params: CatalogVariantRequest; result: VariantState };
  complete: { params: EngineCompletionRequest; result: EngineCompletion };
  chat: { params: EngineChatRequest; result: EngineChatAnswer };
  openWorkspace: { params: WorkspaceRequest; result: { files: number } };
  workspaceChanged: { params: WorkspaceChange; result: { applied: number; ignored: string[] } };
  downloadVariant: { params: DownloadVariantRequest; result: { downloaded: string[]; bytes: number } };
  stats: { params: Record<string, never>; result: EngineStats };
  memory: { params: Record<string, never>; result: EngineMemory };
  /**
   * The API keys of remote servers (from the editor's secret storage), replacing those held; kept in memory
   * only.
   */
  setRemoteApiKeys: { params: { keys: RemoteApiKey[] }; result: { endpoints: number } };
}

export type EngineMethod = keyof EngineMethods;

export const engineMethods: readonly EngineMethod[] = [
  "loadVariant",
  "loadCatalogVariant",
  "complete",
  "chat",
  "openWorkspace",
  "workspaceChanged",
  "downloadVariant",
  "stats",
  "memory",
  "setRemoteApiKeys",
];

/** Extension host → engine host. */
export type HostRequest =
  | {
      [M in EngineMethod]: { kind: "request"; id: number; method: M; params: EngineMethods[M]["params"] };
    }[EngineMethod]
  | { kind: "cancel"; id: number }
  /** The heartbeat: the engine answers with a pong at once, from its event loop. */
  | { kind: "ping"; seq: number }
  | { kind: "shutdown" };

export interface SerializedError {
  name: string;
  message: string;
  /** The error's stable code (see engine/errors/errorCodes.ts), when it has one. */
  code?: CoopErrorCode;
}

/** Engine host → extension host. */
export type HostMessage =
  | { kind: "ready"; pid: number }
  | { kind: "result"; id: number; result: unknown }
  | { kind: "progress"; id: number; progress: EngineProgress }
  | { kind: "chunk"; id: number; chunk: string }
  /** A chat answer's sources or a piece of its text. */
  | { kind: "event"; id: number; event: ChatEvent }
  | { kind: "error"; id: number; error: SerializedError }
  | { kind: "pong"; seq: number }
  | { kind: "log"; level: string; message: string }
  /** The variant's state machine moved (engine/pipeline/variantSlot.ts). */
  | { kind: "variant"; status: VariantStatus };

export function parseHostRequest(raw: unknown): HostRequest | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.kind) {
    case "shutdown":
      return { kind: "shutdown" };
    case "cancel":
      return isId(raw.id) ? { kind: "cancel", id: raw.id } : undefined;
    case "ping":
      return isId(raw.seq) ? { kind: "ping", seq: raw.seq } : undefined;
    case "request":
      if (!isId(raw.id) || !engineMethods.includes(raw.method as EngineMethod) || !isRecord(raw.params))
        return undefined;
      return { kind: "request", id: raw.id, method: raw.method, params: raw.params } as HostRequest;
    default:
      return undefined;
  }
}

export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.kind) {
    case "ready":
      return typeof raw.pid === "number" ? { kind: "ready", pid: raw.pid } : undefined;
    case "pong":
      return isId(raw.seq) ? { kind: "pong", seq: raw.seq } : undefined;
    case "result":
      return isId(raw.id) ? { kind: "result", id: raw.id, result: raw.result } : undefined;
    case "chunk":
      return isId(raw.id) && typeof raw.chunk === "string"
        ? { kind: "chunk", id: raw.id, chunk: raw.chunk }
        : undefined;
    case "event": {
      if (!isId(raw.id)) return undefined;
      const event = parseChatEvent(raw.event);
      return event ? { kind: "event", id: raw.id, event } : undefined;
    }
    case "progress": {
      const progress = raw.progress;
      if (
        !isId(raw.id) ||
        !isRecord(progress) ||
        !["download", "merge", "load"].includes(progress.phase as string) ||
        typeof progress.message !== "string"
      )
        return undefined;
      if (progress.fraction !== undefined && typeof progress.fraction !== "number") return undefined;
      return {
        kind: "progress",
        id: raw.id,
        progress: {
          phase: progress.phase as EngineProgress["phase"],
          fraction: progress.fraction,
          message: progress.message,
        },
      };
    }
    case "error":
      return isId(raw.id) && isRecord(raw.error) && typeof raw.error.message === "string"
        ? {
            kind: "error",
            id: raw.id,
            error: {
              name: typeof raw.error.name === "string" ? raw.error.name : "Error",
              message: raw.error.message,
              ...(isCoopErrorCode(raw.error.code) ? { code: raw.error.code } : {}),
            },
          }
        : undefined;
    case "variant": {
      const status = raw.status;
      if (!isRecord(status) || !variantPhases.includes(status.phase as VariantPhase)) return undefined;
      if (status.id !== undefined && typeof status.id !== "string") return undefined;
      if (status.error !== undefined && typeof status.error !== "string") return undefined;
      return {
        kind: "variant",
        status: {
          phase: status.phase as VariantPhase,
          ...(status.id === undefined ? {} : { id: status.id }),
          ...(status.error === undefined ? {} : { error: status.error }),
        },
      };
    }
    case "log":
      return typeof raw.level === "string" && typeof raw.message === "string"
        ? { kind: "log", level: raw.level, message: raw.message }
        : undefined;
    default:
      return undefined;
  }
}

/** A chat event exactly as ChatEvent declares it, or undefined. */
export function parseChatEvent(raw: unknown): ChatEvent | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.type === "text") return typeof raw.text === "string" ? { type: "text", text: raw.text } : undefined;
  if (raw.type !== "sources" || !Array.isArray(raw.sources)) return undefined;
  const sources: ChatSource[] = [];
  for (const source of raw.sources) {
    if (
      !isRecord(source) ||
      typeof source.path !== "string" ||
      !isId(source.startLine) ||
      !isId(source.endLine) ||
      source.endLine < source.startLine
    )
      return undefined;
    if (typeof source.score !== "number" || !Number.isFinite(source.score)) return undefined;
    sources.push({
      path: source.path,
      startLine: source.startLine,
      endLine: source.endLine,
      score: source.score,
    });
  }
  return { type: "sources", sources };
}

/**
 * An error as the engine process sends it: its name and message, and its code when it is one of Coop's (a
 * Node error's code, as ENOENT, is not: the extension decides on Coop's codes only).
 */
export function serializeError(error: unknown): SerializedError {
  const name = error instanceof Error ? error.name : "Error";
  const code = errorCodeOf(error);
  return { name, message: describeError(error), ...(isCoopErrorCode(code) ? { code } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
