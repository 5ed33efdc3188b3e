import { CoopError, coopErrorCodes } from "../errors/index.js";
import { validateChatRequest } from "../chat/index.js";
import type {
  ChatAttachment,
  ChatTurn,
  EngineChatRequest,
  EngineCompletionRequest,
  InputTrim,
} from "../host/contract/engineApi.js";
import { inputLimits, keepEnd, keepStart } from "../host/contract/inputLimits.js";

/**
 * A request the engine refuses for its input: too long, or not of the expected type. The message
 * names the field and the limit.
 */
export class RequestInputError extends CoopError {
  constructor(
    /** The request's field, as `messages[2].content` or `prefix`. */
    readonly field: string,
    message: string,
  ) {
    super(coopErrorCodes.requestInput, message);
    this.name = "RequestInputError";
  }
}

export interface Bounded<T> {
  request: T;
  /** What was trimmed, with the reason (empty when the request was within every limit). */
  trimmed: InputTrim[];
}

/**
 * A completion request within {@link inputLimits}: the prefix keeps its end and the suffix its start
 * (the text nearest the cursor), brought-along chunks are cut; names and grammars over their limit
 * are refused.
 */
export function boundCompletionRequest(request: EngineCompletionRequest): Bounded<EngineCompletionRequest> {
  const raw = request as Partial<Record<keyof EngineCompletionRequest, unknown>>;
  const prefix = requireText(raw.prefix, "prefix");
  const suffix = requireText(raw.suffix, "suffix");
  requireName(raw.document, "document");
  requireName(raw.path, "path");
  if (raw.projectName !== undefined) requireName(raw.projectName, "projectName");
  if (raw.grammar !== undefined) {
    const grammar = requireText(raw.grammar, "grammar");
    if (grammar.length > inputLimits.grammarChars)
      throw new RequestInputError(
        "grammar",
        `The completion's grammar has ${count(grammar.length)} characters; the engine takes at most ${count(inputLimits.grammarChars)}`,
      );
  }
  const trimmed: InputTrim[] = [];
  const bounded = { ...request };
  if (prefix.length > inputLimits.prefixChars) {
    bounded.prefix = detached(keepEnd(prefix, inputLimits.prefixChars));
    trimmed.push({
      field: "prefix",
      reason: `the prefix had ${count(prefix.length)} characters: only the last ${count(bounded.prefix.length)}, nearest the cursor, were used (the engine's limit is ${count(inputLimits.prefixChars)})`,
    });
  }
  if (suffix.length > inputLimits.suffixChars) {
    bounded.suffix = detached(keepStart(suffix, inputLimits.suffixChars));
    trimmed.push({
      field: "suffix",
      reason: `the suffix had ${count(suffix.length)} characters: only the first ${count(bounded.suffix.length)}, nearest the cursor, were used (the engine's limit is ${count(inputLimits.suffixChars)})`,
    });
  }
  if (raw.chunks !== undefined) bounded.chunks = boundChunks(raw.chunks, trimmed);
  return { request: bounded, trimmed };
}

/**
 * A chat request within {@link inputLimits}: a message over its limit or too many attachments are
 * refused; the oldest turns beyond the conversation's limits are left out and long attachments cut.
 * The request's shape is checked first (a ChatRequestError says what is wrong).
 */
export function boundChatRequest(request: EngineChatRequest): Bounded<EngineChatRequest> {
  validateChatRequest(request);
  const trimmed: InputTrim[] = [];
  request.messages.forEach((turn, index) => {
    if (turn.content.length <= inputLimits.messageChars) return;
    const which = index === request.messages.length - 1 ? "The question" : `Chat message ${index + 1}`;
    throw new RequestInputError(
      `messages[${index}].content`,
      `${which} has ${count(turn.content.length)} characters; the engine takes a message of at most ${count(inputLimits.messageChars)}. Shorten it.`,
    );
  });
  const messages = boundConversation(request.messages, trimmed);
  const attachments =
    request.attachments === undefined ? undefined : boundAttachments(request.attachments, trimmed);
  if (trimmed.length === 0) return { request, trimmed };
  return {
    request: { ...request, messages, ...(attachments === undefined ? {} : { attachments }) },
    trimmed,
  };
}

/** The conversation without its oldest turns beyond the turn and character limits (the question stays). */
function boundConversation(messages: ChatTurn[], trimmed: InputTrim[]): ChatTurn[] {
  let first = Math.max(0, messages.length - inputLimits.conversationTurns);
  let historyChars = 0;
  for (let index = messages.length - 2; index >= first; index--) {
    historyChars += messages[index]!.content.length;
    if (historyChars > inputLimits.historyChars) {
      first = index + 1;
      break;
    }
  }
  if (first === 0) return messages;
  trimmed.push({
    field: "messages",
    reason: `the ${count(first)} oldest turns of the conversation were left out: the engine takes at most ${count(inputLimits.conversationTurns)} turns and ${count(inputLimits.historyChars)} characters before the question`,
  });
  return messages.slice(first);
}

function boundAttachments(attachments: ChatAttachment[], trimmed: InputTrim[]): ChatAttachment[] {
  if (attachments.length > inputLimits.attachments)
    throw new RequestInputError(
      "attachments",
      `A question has ${attachments.length} attachments; the engine takes at most ${inputLimits.attachments}`,
    );
  return attachments.map((attachment, index) => {
    requireName(attachment.path, `attachments[${index}].path`);
    if (attachment.language !== undefined) requireName(attachment.language, `attachments[${index}].language`);
    if (attachment.text.length <= inputLimits.attachmentChars) return attachment;
    const text = detached(keepStart(attachment.text, inputLimits.attachmentChars));
    trimmed.push({
      field: `attachments[${index}].text`,
      reason: `the attachment ${attachment.path} had ${count(attachment.text.length)} characters: only its first ${count(text.length)} were used (the engine's limit is ${count(inputLimits.attachmentChars)})`,
    });
    return { ...attachment, text };
  });
}

function boundChunks(raw: unknown, trimmed: InputTrim[]): EngineCompletionRequest["chunks"] {
  if (!Array.isArray(raw)) throw new RequestInputError("chunks", "The request's chunks must be a list");
  let cut = raw.length > inputLimits.contextChunks;
  const chunks = raw.slice(0, inputLimits.contextChunks).map((chunk: unknown, index) => {
    const fields = (typeof chunk === "object" && chunk !== null ? chunk : {}) as Record<string, unknown>;
    requireName(fields.path, `chunks[${index}].path`);
    const text = requireText(fields.text, `chunks[${index}].text`);
    if (text.length <= inputLimits.contextChunkChars) return { path: fields.path, text };
    cut = true;
    return { path: fields.path, text: detached(keepStart(text, inputLimits.contextChunkChars)) };
  });
  if (cut)
    trimmed.push({
      field: "chunks",
      reason: `the request's workspace chunks were cut to the engine's limits: at most ${inputLimits.contextChunks} chunks of ${count(inputLimits.contextChunkChars)} characters`,
    });
  return chunks;
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== "string") throw new RequestInputError(field, `The request's ${field} must be text`);
  return value;
}

function requireName(value: unknown, field: string): asserts value is string {
  const text = requireText(value, field);
  if (text.length > inputLimits.nameChars)
    throw new RequestInputError(
      field,
      `The request's ${field} has ${count(text.length)} characters; the engine takes at most ${count(inputLimits.nameChars)}`,
    );
}

/**
 * A copy of a trimmed text that does not keep the untrimmed one alive (V8 may hold a slice of a
 * string as a view of the whole: a 5 MB prefix would stay in memory behind its last 32,000 characters).
 */
function detached(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** The result, telling what of its request was trimmed on the way in (as it was when nothing was). */
export function withTrimmedInput<T extends { trimmedInput?: InputTrim[] }>(
  result: T,
  trimmed: InputTrim[],
): T {
  return trimmed.length === 0 ? result : { ...result, trimmedInput: trimmed };
}
