import type { Token } from "node-llama-cpp";
import type { ChatAttachment, ChatSource, ChatTurn } from "../host/contract/engineApi.js";
import { ChatRequestError } from "./chatRequest.js";
import type { ChatTemplate } from "./chatTemplate.js";
import { groundedSystemText, selectGrounding } from "./groundingSelection.js";
import type { RetrievedSource } from "./groundingText.js";

export const coopInstructions =
  "You are Coop, a coding assistant that runs locally in the user's editor. Answer questions about the user's code " +
  "concisely and accurately. Put every piece of code in a fenced Markdown code block tagged with its language " +
  "(```typescript, ```python, ```cpp, …). Base your answer on the workspace code and attachments below when they are " +
  "relevant, and do not use functions, classes, members or packages that the user's code does not define or import.";

/**
 * Room left after the prompt and the answer, for the draft's speculated tokens the target evaluates past the
 * answer.
 */
export const speculationMarginTokens = 16;
/** Below this many answer tokens, a question is refused as too long rather than answered in a few words. */
export const minAnswerTokens = 32;

export interface ChatPromptInput {
  /** The conversation, ending with the user's question. */
  turns: readonly ChatTurn[];
  attachments: readonly ChatAttachment[];
  /** Retrieved workspace chunks, best first. */
  sources: readonly RetrievedSource[];
  /** The answer's token limit the caller asked for. */
  maxTokens: number;
  /** Tokens the context sequence holds: prompt, answer and speculation margin must fit. */
  contextSize: number;
  /** Tokens for attachments and sources together (cut to this before the history is trimmed). */
  groundingTokens: number;
  /** Instructions in place of Coop's usual ones (a code-only answer). */
  instructions?: string;
}

export interface ChatPrompt {
  tokens: Token[];
  /** The answer's token limit: the one asked for, or less when the question leaves less room. */
  maxTokens: number;
  /** The sources the prompt holds, best first. */
  sources: ChatSource[];
  /** Turns of the conversation left out (the oldest ones) so that it fits. */
  droppedTurns: number;
  /** Attachments cut short or left out for the grounding budget. */
  cutAttachments: number;
}

/**
 * The prompt of a chat answer in the model's chat format: Coop's instructions, then the workspace
 * sources (path and 1-based lines) and the attachments, then the conversation. Attachments and
 * sources are cut to their token budget first (attachments, chosen by the user, before sources);
 * then the oldest turns are dropped until prompt + answer fit the context. The question is always kept.
 */
export function buildChatPrompt(
  input: ChatPromptInput,
  template: ChatTemplate,
  countTokens: (text: string) => number,
): ChatPrompt {
  const question = input.turns.at(-1)!;
  const limit = input.contextSize - speculationMarginTokens;
  const instructions = input.instructions ?? coopInstructions;
  const bare = template.render(instructions, [question]).length;
  if (bare + minAnswerTokens > limit) {
    throw new ChatRequestError(
      `The question is too long for the loaded model: with Coop's instructions it takes ${bare} tokens of the ${input.contextSize} its context holds, ` +
        `leaving no room for an answer. Shorten the question.`,
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
  let system = groundedSystemText(instructions, pieces);
  let tokens = template.render(system, [question]);
  // Token counts of the pieces alone are close to their cost in the prompt, not exact: drop sources, then
  // attachments, until it fits.
  while (tokens.length > promptLimit && pieces.length > 0) {
    pieces.pop();
    system = groundedSystemText(instructions, pieces);
    tokens = template.render(system, [question]);
  }

  // The oldest turns go first, a user turn with the answers after it, so the conversation still starts with
  // the user.
  const starts = input.turns.flatMap((turn, index) =>
    turn.role === "user" && index < input.turns.length - 1 ? [index] : [],
  );
  let low = 0;
  let high = starts.length;
  let best = tokens;
  let bestStart = input.turns.length - 1;
  // Bisect for the earliest start that fits: the prompt only grows as older turns are added.
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = template.render(system, input.turns.slice(starts[middle]));
    if (candidate.length <= promptLimit) {
      best = candidate;
      bestStart = starts[middle]!;
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return {
    tokens: best,
    maxTokens,
    sources: pieces.flatMap((piece) =>
      piece.source
        ? [
            {
              path: piece.source.path,
              startLine: piece.source.startLine,
              endLine: piece.source.endLine,
              score: piece.source.score,
            },
          ]
        : [],
    ),
    droppedTurns: bestStart,
    cutAttachments,
  };
}
