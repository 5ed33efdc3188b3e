/**
 * The most of each input the engine takes through its API (CoopEngine, in process or across the
 * engine host's RPC), in one place. Requests are held to them where they enter the engine (see
 * requestLimits.ts): text read outwards from the cursor is trimmed, keeping what is nearest the cursor;
 * what the user wrote (a chat message) is refused with the limit named, never cut silently.
 * This module imports nothing, so the extension and the chat webview can send within the same numbers.
 */
export const inputLimits = {
  /** Text before the cursor, trimmed from its start: about the 8,192 tokens of the largest context loaded. */
  prefixChars: 32_000,
  /** Text after the cursor, trimmed from its end: a FIM prompt gives the suffix at most a quarter. */
  suffixChars: 8_000,
  /** One chat message (the question or an earlier turn); a longer one is refused. */
  messageChars: 200_000,
  /** Turns of a chat request; beyond it the oldest are left out. */
  conversationTurns: 400,
  /** The turns before the question, together; beyond it the oldest are left out. */
  historyChars: 400_000,
  /** Attachments to one question; more are refused. */
  attachments: 8,
  /** One attachment's text, trimmed from its end. */
  attachmentChars: 60_000,
  /** Workspace chunks a completion request brings along; beyond it the last are left out. */
  contextChunks: 32,
  /** One such chunk's text, trimmed from its end. */
  contextChunkChars: 16_000,
  /** A GBNF grammar; a longer one is refused. */
  grammarChars: 64_000,
  /** A path, document id, project name or language name; a longer one is refused. */
  nameChars: 4_096,
  /** One edited document's text in a workspace change; a longer document is left to the files on disk. */
  documentChars: 1_000_000,
  /** Paths (and documents) in one workspace change; beyond it the rest are ignored. */
  changedPaths: 2_000,
} as const;

/**
 * The window around the cursor the editor sends with a completion request: well inside the engine's
 * limits, since the prompt's budget also holds retrieved workspace code.
 */
export const editorWindow = { prefixChars: 8_000, suffixChars: 2_000 } as const;

/** The last `maxChars` characters of `text`, never starting in the middle of a surrogate pair. */
export function keepEnd(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let start = text.length - maxChars;
  if (isLowSurrogate(text.charCodeAt(start))) start++;
  return text.slice(start);
}

/** The first `maxChars` characters of `text`, never ending in the middle of a surrogate pair. */
export function keepStart(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  if (isLowSurrogate(text.charCodeAt(end))) end--;
  return text.slice(0, end);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
