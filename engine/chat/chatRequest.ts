import { validateBestOfN, validateContrastive } from "../ensemble/index.js";
import type { EngineChatRequest } from "../host/engineApi.js";

/** A chat request the engine cannot answer as asked: the message says what to change. */
export class ChatRequestError extends Error {
  constructor(message: string) {
    super(message);
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
  const { messages, attachments, policy, maxTokens, codeOnly, contrastive, bestOfN } =
    request as Partial<EngineChatRequest>;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new ChatRequestError("A chat request needs at least one message: the user's question");
  messages.forEach((turn, index) => {
    if (
      typeof turn !== "object" ||
      turn === null ||
      (turn.role !== "user" && turn.role !== "assistant") ||
      typeof turn.content !== "string"
    ) {
      throw new ChatRequestError(
        `Chat message ${index + 1} must have a role ("user" or "assistant") and text content`,
      );
    }
  });
  const question = messages.at(-1)!;
  if (question.role !== "user")
    throw new ChatRequestError("The last chat message must be the user's question");
  if (question.content.trim() === "") throw new ChatRequestError("The question is empty");
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) throw new ChatRequestError("Chat attachments must be a list");
    attachments.forEach((attachment, index) => {
      const valid =
        typeof attachment === "object" &&
        attachment !== null &&
        (attachment.kind === "selection" || attachment.kind === "file") &&
        typeof attachment.path === "string" &&
        typeof attachment.text === "string" &&
        (attachment.language === undefined || typeof attachment.language === "string") &&
        isOptionalLine(attachment.startLine) &&
        isOptionalLine(attachment.endLine);
      if (!valid)
        throw new ChatRequestError(
          `Chat attachment ${index + 1} must be a selection or a file with a path and text`,
        );
    });
  }
  if (policy !== undefined && !policies.includes(policy))
    throw new ChatRequestError(
      `Unknown detector policy '${String(policy)}' (expected ${policies.join(", ")})`,
    );
  if (
    codeOnly !== undefined &&
    !(
      typeof codeOnly === "object" &&
      codeOnly !== null &&
      typeof codeOnly.language === "string" &&
      /^[\w+#.-]{1,32}$/.test(codeOnly.language)
    )
  ) {
    throw new ChatRequestError(
      "codeOnly must name the code's language as a fence tag (letters, digits, + # . -), such as typescript",
    );
  }
  if (maxTokens !== undefined && !(Number.isSafeInteger(maxTokens) && maxTokens > 0)) {
    throw new ChatRequestError(`maxTokens must be a positive whole number, not ${String(maxTokens)}`);
  }
  if (contrastive !== undefined) {
    if (typeof contrastive !== "object" || contrastive === null)
      throw new ChatRequestError("contrastive must give alpha and beta");
    if (codeOnly !== undefined)
      throw new ChatRequestError(
        "Contrastive decoding cannot hold an answer to the code-only shape: ask without one of them",
      );
    rethrowAsRequestError(() => validateContrastive(contrastive));
  }
  if (bestOfN !== undefined) {
    if (typeof bestOfN !== "object" || bestOfN === null)
      throw new ChatRequestError("bestOfN must give n and budgetMs");
    rethrowAsRequestError(() => validateBestOfN(bestOfN));
  }
}

function rethrowAsRequestError(check: () => void): void {
  try {
    check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ChatRequestError(message.charAt(0).toUpperCase() + message.slice(1));
  }
}

function isOptionalLine(value: unknown): boolean {
  return value === undefined || (typeof value === "number" && Number.isSafeInteger(value) && value >= 0);
}
