import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { validateBestOfN, validateContrastive } from "../ensemble/index.js";
import type { EngineChatRequest } from "../host/contract/engineApi.js";

/** A chat request the engine cannot answer as asked: the message says what to change. */
export class ChatRequestError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.chatRequest, message);
    this.name = "ChatRequestError";
  }
}

export const defaultChatMaxTokens = 512;
const policies = ["annotate", "suppress", "repair", "off"];

/**
 * Checks a request's shape (it may come from another process): a conversation of user and assistant
 * turns ending with the user's question, attachments with text, a sensible token limit.
 */
export function validateChatRequest(request: EngineChatRequest): void {
  // Each field read as unknown: the request's declared type is what this function establishes.
  const { messages, attachments, policy, maxTokens, codeOnly, contrastive, bestOfN } =
    request as Untrusted<EngineChatRequest>;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new ChatRequestError("A chat request needs at least one message: the user's question");
  messages.forEach((turn: unknown, index) => {
    if (!isChatTurn(turn)) {
      throw new ChatRequestError(
        `Chat message ${index + 1} must have a role ("user" or "assistant") and text content`,
      );
    }
  });
  const question = request.messages.at(-1)!;
  if (question.role !== "user")
    throw new ChatRequestError("The last chat message must be the user's question");
  if (question.content.trim() === "") throw new ChatRequestError("The question is empty");
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) throw new ChatRequestError("Chat attachments must be a list");
    attachments.forEach((attachment: unknown, index) => {
      if (!isAttachment(attachment))
        throw new ChatRequestError(
          `Chat attachment ${index + 1} must be a selection or a file with a path and text`,
        );
    });
  }
  if (policy !== undefined && !(typeof policy === "string" && policies.includes(policy)))
    throw new ChatRequestError(`Unknown detector policy ${shown(policy)} (expected ${policies.join(", ")})`);
  if (
    codeOnly !== undefined &&
    !(
      typeof codeOnly === "object" &&
      codeOnly !== null &&
      "language" in codeOnly &&
      typeof codeOnly.language === "string" &&
      /^[\w+#.-]{1,32}$/.test(codeOnly.language)
    )
  ) {
    throw new ChatRequestError(
      "codeOnly must name the code's language as a fence tag (letters, digits, + # . -), such as typescript",
    );
  }
  if (
    maxTokens !== undefined &&
    !(typeof maxTokens === "number" && Number.isSafeInteger(maxTokens) && maxTokens > 0)
  ) {
    throw new ChatRequestError(`maxTokens must be a positive whole number, not ${shown(maxTokens)}`);
  }
  if (contrastive !== undefined) {
    if (typeof contrastive !== "object" || contrastive === null)
      throw new ChatRequestError("contrastive must give alpha and beta");
    if (codeOnly !== undefined)
      throw new ChatRequestError(
        "Contrastive decoding cannot hold an answer to the code-only shape: ask without one of them",
      );
    rethrowAsRequestError(() => validateContrastive(request.contrastive!));
  }
  if (bestOfN !== undefined) {
    if (typeof bestOfN !== "object" || bestOfN === null)
      throw new ChatRequestError("bestOfN must give n and budgetMs");
    rethrowAsRequestError(() => validateBestOfN(request.bestOfN!));
  }
}

function rethrowAsRequestError(check: () => void): void {
  try {
    check();
  } catch (error) {
    const message = describeError(error);
    throw new ChatRequestError(message.charAt(0).toUpperCase() + message.slice(1));
  }
}

type Untrusted<T> = { [K in keyof T]?: unknown };

/** A value as a message shows it: a string in quotes, anything else as JSON writes it. */
function shown(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `'${value}'`;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "undefined":
    case "function":
    case "symbol":
      return typeof value;
    case "object":
      return JSON.stringify(value);
  }
}

function isChatTurn(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const turn = value as Record<string, unknown>;
  return (turn.role === "user" || turn.role === "assistant") && typeof turn.content === "string";
}

function isAttachment(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const attachment = value as Record<string, unknown>;
  return (
    (attachment.kind === "selection" || attachment.kind === "file") &&
    typeof attachment.path === "string" &&
    typeof attachment.text === "string" &&
    (attachment.language === undefined || typeof attachment.language === "string") &&
    isOptionalLine(attachment.startLine) &&
    isOptionalLine(attachment.endLine)
  );
}

function isOptionalLine(value: unknown): boolean {
  return value === undefined || (typeof value === "number" && Number.isSafeInteger(value) && value >= 0);
}
