import {
  parseEntry,
  parseExtensionMessage,
  parseWebviewMessage,
  type AttachMode,
  type ChatEntry,
} from "../extension/protocol/chatProtocol.js";
import type { ConversationSnapshot, StreamingAnswer } from "./conversation.js";

/**
 * What the view keeps through vscode.setState while it is hidden (the webview is recreated when
 * shown again). It is read back with the protocol's own checks: a state written by an older view,
 * or damaged, restores what is valid and drops the rest.
 */
export interface PersistedChatView {
  version: 1;
  draft: string;
  attach: AttachMode;
  conversation: ConversationSnapshot;
  /** Code blocks wrap long lines instead of scrolling sideways (the header's Wrap toggle); absent: off. */
  wrapCode?: boolean;
}

const attachModes: readonly AttachMode[] = ["none", "selection", "file"];

export function emptyChatView(): PersistedChatView {
  return { version: 1, draft: "", attach: "none", conversation: { entries: [], streaming: [] } };
}

export function restoreChatView(raw: unknown): PersistedChatView {
  const restored = emptyChatView();
  if (!isRecord(raw) || raw.version !== 1) return restored;
  if (typeof raw.draft === "string") restored.draft = raw.draft;
  if (attachModes.includes(raw.attach as AttachMode)) restored.attach = raw.attach as AttachMode;
  if (raw.wrapCode === true) restored.wrapCode = true;
  const conversation = isRecord(raw.conversation) ? raw.conversation : {};
  const entries = Array.isArray(conversation.entries)
    ? conversation.entries.map(parseEntry).filter((entry): entry is ChatEntry => entry !== undefined)
    : [];
  const streaming = Array.isArray(conversation.streaming)
    ? conversation.streaming
        .map(parseStreaming)
        .filter((answer): answer is StreamingAnswer => answer !== undefined)
    : [];
  const state = parseExtensionMessage({ type: "state", state: conversation.engine });
  restored.conversation = { entries, streaming, ...(state?.type === "state" ? { engine: state.state } : {}) };
  return restored;
}

function parseStreaming(raw: unknown): StreamingAnswer | undefined {
  if (!isRecord(raw) || !isId(raw.requestId) || !isId(raw.questionId) || !isId(raw.answerId))
    return undefined;
  return {
    requestId: raw.requestId,
    questionId: raw.questionId,
    answerId: raw.answerId,
    resumed: raw.resumed === true,
  };
}

/** An id the extension accepts (the protocol keeps its id rule private; a stop message carries one). */
function isId(value: unknown): value is string {
  return parseWebviewMessage({ type: "stop", requestId: value }) !== undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
