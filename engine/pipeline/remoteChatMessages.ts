import type { ChatMessage } from "../backends/index.js";
import {
  ChatRequestError,
  coopInstructions,
  groundedSystemText,
  minAnswerTokens,
  selectGrounding,
  type RetrievedSource,
} from "../chat/index.js";
import type { ChatAttachment, ChatSource, ChatTurn } from "../host/contract/index.js";

/**
 * Tokens a prompt of `text` takes on a server whose tokenizer is not here: a conservative estimate
 * (BPE vocabularies of code models average 3 to 4 characters per token). A prompt the estimate lets
 * through and the server still cannot hold is refused by the server with a clear error.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** Tokens the chat template adds around each message (role markers), at most, in the families Coop knows. */
const messageOverheadTokens = 8;
/** Room kept free for the server's speculation past the answer. */
const marginTokens = 16;

export interface RemoteChatInput {
  /** The conversation, ending with the user's question. */
  turns: readonly ChatTurn[];
  attachments: readonly ChatAttachment[];
  /** Retrieved workspace chunks, best first. */
  sources: readonly RetrievedSource[];
  maxTokens: number;
  /** Tokens the server's context holds for one request. */
  contextSize: number;
  /** Tokens for attachments and sources together. */
  groundingTokens: number;
  /** Instructions in place of Coop's usual ones (a code-only answer). */
  instructions?: string;
}

export interface RemoteChatMessages {
  /** A system message with the instructions and the grounding, then the conversation. */
  messages: ChatMessage[];
  maxTokens: number;
  sources: ChatSource[];
  droppedTurns: number;
  cutAttachments: number;
}

/**
 * A chat request for a server, grounded the way the local chat is (Coop's instructions, then the
 * workspace sources and the attachments in the system message), within the server's context by
 * estimated token counts: attachments first, then sources, best first; the oldest turns are left out
 * until the conversation fits. The question is always kept.
 */
export function buildRemoteChatMessages(
  input: RemoteChatInput,
  countTokens: (text: string) => number = estimateTokens,
): RemoteChatMessages {
  const question = input.turns.at(-1)!;
  const instructions = input.instructions ?? coopInstructions;
  const cost = (text: string) => countTokens(text) + messageOverheadTokens;
  const limit = input.contextSize - marginTokens;
  const bare = cost(instructions) + cost(question.content);
  if (bare + minAnswerTokens > limit) {
    throw new ChatRequestError(
      `The question is too long for the server's model: with Coop's instructions it takes about ${bare} tokens of the ${input.contextSize} its context holds, leaving no room for an answer. Shorten the question.`,
    );
  }
  const maxTokens = Math.min(input.maxTokens, limit - bare);
  const promptLimit = limit - maxTokens;

  const { pieces, cutAttachments } = selectGrounding(
    input.attachments,
    input.sources,
    Math.min(input.groundingTokens, promptLimit - bare),
    countTokens,
  );
  const system = groundedSystemText(instructions, pieces);

  // Older turns join while they fit, a user turn with the answers after it, so the conversation starts with
  // the user.
  let used = cost(system) + cost(question.content);
  let start = input.turns.length - 1;
  for (let index = input.turns.length - 2; index >= 0; index--) {
    if (input.turns[index]!.role !== "user") continue;
    const added = input.turns.slice(index, start).reduce((total, turn) => total + cost(turn.content), 0);
    if (used + added > promptLimit) break;
    used += added;
    start = index;
  }
  return {
    messages: [
      { role: "system", content: system },
      ...input.turns.slice(start).map((turn) => ({ role: turn.role, content: turn.content })),
    ],
    maxTokens,
    sources: pieces.flatMap(({ source }) =>
      source
        ? [{ path: source.path, startLine: source.startLine, endLine: source.endLine, score: source.score }]
        : [],
    ),
    droppedTurns: start,
    cutAttachments,
  };
}
