/**
 * The one protocol between the chat webview and the extension. Both sides import this module; every
 * message is checked with the parse functions, so a malformed message is rejected, never acted on.
 * It imports only the contract's input limits, a module of constants: the webview is a browser bundle
 * and must not type-check against the engine's Node modules. The shapes below mirror the engine's chat
 * types.
 */
import { inputLimits } from "../../engine/host/contract/inputLimits.js";

/**
 * What the engine can do for the chat right now; each state but ready comes with the action that fixes it.
 */
export type EngineState = "idle" | "notDownloaded" | "downloading" | "loading" | "ready" | "error";

/** A command the view can ask for, shown as a button on a state screen. */
export type StateAction = "downloadModels" | "swapVariant" | "retry" | "showLog";

export interface ChatViewState {
  variant: string;
  engine: EngineState;
  /** What the user should know, if anything (an error message, what is downloading). */
  detail?: string;
  /** 0..1 while downloading or loading, when known. */
  progress?: number;
  /** The actions that fix the state, best first. */
  actions: StateAction[];
}

export interface ChatSourceRef {
  /** Workspace-relative. */
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
}

export interface CodeBlockFinding {
  kind: string;
  name: string;
  evidence: string;
  suggestions: string[];
}

export interface CodeBlockCheck {
  /** 0-based position among the answer's fenced code blocks. */
  index: number;
  findings: CodeBlockFinding[];
}

export type AttachMode = "none" | "selection" | "file";

/** One entry of the conversation, as kept in the workspace's history and shown by the view. */
export interface ChatEntry {
  id: string;
  role: "user" | "assistant";
  text: string;
  /** user: what was attached ("selection of src/a.ts:3-9"). */
  attached?: string;
  sources?: ChatSourceRef[];
  codeBlocks?: CodeBlockCheck[];
  /** assistant: why it ended; "aborted" when the user pressed Stop. */
  stopReason?: "eos" | "maxTokens" | "aborted";
  /** assistant: the request failed with this message (text holds what came before). */
  error?: string;
  tokensPerSecond?: number;
}

export type WebviewToExtension =
  | { type: "ready" }
  | { type: "ask"; requestId: string; text: string; attach: AttachMode }
  | { type: "stop"; requestId: string }
  | { type: "openSource"; source: ChatSourceRef }
  | { type: "insertCode"; code: string }
  | { type: "copyCode"; code: string }
  | { type: "applyCode"; code: string; language?: string }
  | { type: "clearHistory" }
  | { type: "action"; action: StateAction };

export type ExtensionToWebview =
  | { type: "state"; state: ChatViewState }
  /** The whole conversation (on ready, after clear); the view renders it instead of what it had. */
  | { type: "history"; entries: ChatEntry[] }
  /** The question was accepted: the user's entry as stored, and the answer's id. */
  | { type: "answerStart"; requestId: string; question: ChatEntry; answerId: string }
  | { type: "sources"; requestId: string; sources: ChatSourceRef[] }
  | { type: "chunk"; requestId: string; text: string }
  /** The answer as stored, after it finished, was stopped or failed. */
  | { type: "answerEnd"; requestId: string; answer: ChatEntry };

const engineStates: readonly EngineState[] = [
  "idle",
  "notDownloaded",
  "downloading",
  "loading",
  "ready",
  "error",
];
const stateActions: readonly StateAction[] = ["downloadModels", "swapVariant", "retry", "showLog"];
const attachModes: readonly AttachMode[] = ["none", "selection", "file"];
const stopReasons: readonly NonNullable<ChatEntry["stopReason"]>[] = ["eos", "maxTokens", "aborted"];

/**
 * Longest question or code the view may send (a pasted file is fine; a runaway message is not): the
 * longest chat message the engine takes.
 */
export const maxMessageChars = inputLimits.messageChars;

export function parseWebviewMessage(raw: unknown): WebviewToExtension | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case "ready":
    case "clearHistory":
      return { type: raw.type };
    case "ask":
      if (
        !isId(raw.requestId) ||
        !isText(raw.text) ||
        raw.text.trim() === "" ||
        !isOneOf(raw.attach, attachModes)
      )
        return undefined;
      return { type: "ask", requestId: raw.requestId, text: raw.text, attach: raw.attach };
    case "stop":
      return isId(raw.requestId) ? { type: "stop", requestId: raw.requestId } : undefined;
    case "openSource": {
      const source = parseSource(raw.source);
      return source && { type: "openSource", source };
    }
    case "insertCode":
    case "copyCode":
      return isText(raw.code) ? { type: raw.type, code: raw.code } : undefined;
    case "applyCode":
      if (!isText(raw.code) || !isOptionalString(raw.language)) return undefined;
      return { type: "applyCode", code: raw.code, language: raw.language };
    case "action":
      return isOneOf(raw.action, stateActions) ? { type: "action", action: raw.action } : undefined;
    default:
      return undefined;
  }
}

export function parseExtensionMessage(raw: unknown): ExtensionToWebview | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case "state": {
      const state = parseState(raw.state);
      return state && { type: "state", state };
    }
    case "history": {
      const entries = parseList(raw.entries, parseEntry);
      return entries && { type: "history", entries };
    }
    case "answerStart": {
      const question = parseEntry(raw.question);
      if (!isId(raw.requestId) || !question || !isId(raw.answerId)) return undefined;
      return { type: "answerStart", requestId: raw.requestId, question, answerId: raw.answerId };
    }
    case "sources": {
      const sources = parseList(raw.sources, parseSource);
      return isId(raw.requestId) && sources
        ? { type: "sources", requestId: raw.requestId, sources }
        : undefined;
    }
    case "chunk":
      return isId(raw.requestId) && typeof raw.text === "string"
        ? { type: "chunk", requestId: raw.requestId, text: raw.text }
        : undefined;
    case "answerEnd": {
      const answer = parseEntry(raw.answer);
      return isId(raw.requestId) && answer
        ? { type: "answerEnd", requestId: raw.requestId, answer }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** Reads a stored entry back (history from workspace state is checked like a message). */
export function parseEntry(raw: unknown): ChatEntry | undefined {
  if (
    !isRecord(raw) ||
    !isId(raw.id) ||
    (raw.role !== "user" && raw.role !== "assistant") ||
    typeof raw.text !== "string"
  )
    return undefined;
  if (!isOptionalString(raw.attached) || !isOptionalString(raw.error)) return undefined;
  if (raw.tokensPerSecond !== undefined && !isFiniteNumber(raw.tokensPerSecond)) return undefined;
  if (raw.stopReason !== undefined && !isOneOf(raw.stopReason, stopReasons)) return undefined;
  const sources = raw.sources === undefined ? undefined : parseList(raw.sources, parseSource);
  const codeBlocks = raw.codeBlocks === undefined ? undefined : parseList(raw.codeBlocks, parseCodeBlock);
  if ((raw.sources !== undefined && !sources) || (raw.codeBlocks !== undefined && !codeBlocks))
    return undefined;
  const role: ChatEntry["role"] = raw.role;
  return withoutUndefined({
    id: raw.id,
    role,
    text: raw.text,
    attached: raw.attached,
    sources,
    codeBlocks,
    stopReason: raw.stopReason,
    error: raw.error,
    tokensPerSecond: raw.tokensPerSecond,
  });
}

function parseState(raw: unknown): ChatViewState | undefined {
  if (!isRecord(raw) || typeof raw.variant !== "string" || !isOneOf(raw.engine, engineStates))
    return undefined;
  if (!isOptionalString(raw.detail)) return undefined;
  if (raw.progress !== undefined && !(isFiniteNumber(raw.progress) && raw.progress >= 0 && raw.progress <= 1))
    return undefined;
  const actions = parseList(raw.actions, (action) => (isOneOf(action, stateActions) ? action : undefined));
  if (!actions) return undefined;
  return withoutUndefined({
    variant: raw.variant,
    engine: raw.engine,
    detail: raw.detail,
    progress: raw.progress,
    actions,
  });
}

function parseSource(raw: unknown): ChatSourceRef | undefined {
  if (
    !isRecord(raw) ||
    typeof raw.path !== "string" ||
    raw.path === "" ||
    !isLine(raw.startLine) ||
    !isLine(raw.endLine) ||
    raw.endLine < raw.startLine
  )
    return undefined;
  return { path: raw.path, startLine: raw.startLine, endLine: raw.endLine };
}

function parseCodeBlock(raw: unknown): CodeBlockCheck | undefined {
  if (!isRecord(raw) || !isLine(raw.index)) return undefined;
  const findings = parseList(raw.findings, (finding) => {
    if (
      !isRecord(finding) ||
      typeof finding.kind !== "string" ||
      typeof finding.name !== "string" ||
      typeof finding.evidence !== "string"
    )
      return undefined;
    const suggestions = parseList(finding.suggestions, (suggestion) =>
      typeof suggestion === "string" ? suggestion : undefined,
    );
    return suggestions && { kind: finding.kind, name: finding.name, evidence: finding.evidence, suggestions };
  });
  return findings && { index: raw.index, findings };
}

function parseList<T>(raw: unknown, parseItem: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const items: T[] = [];
  for (const item of raw) {
    const parsed = parseItem(item);
    if (parsed === undefined) return undefined;
    items.push(parsed);
  }
  return items;
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === "string" && /^[\w-]{1,64}$/.test(value);
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length <= maxMessageChars;
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === "string";
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isLine(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}
