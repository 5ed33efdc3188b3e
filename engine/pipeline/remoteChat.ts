import type { AdapterSelection, InferenceBackend } from "../backends/index.js";
import {
  checkCodeBlocks,
  closeCodeOnly,
  codeBlockCheckFor,
  codeOnlyInstructions,
  defaultChatMaxTokens,
  extractCodeBlocks,
  retrieveSources,
} from "../chat/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";
import type { ChatEventListener, EngineChatAnswer, EngineChatRequest } from "../host/contract/index.js";
import { buildRemoteChatMessages, estimateTokens } from "./remoteChatMessages.js";
import type { EngineLog } from "./localVariant.js";

/** Tokens of attachments and sources in a chat prompt at most. */
const maxGroundingTokens = 2048;

export interface RemoteChatOptions {
  backend: InferenceBackend;
  adapters: readonly AdapterSelection[];
  /** Tokens of one request's context on the server. */
  contextSize: number;
  onLog?: EngineLog;
}

/**
 * A chat answer generated on an inference server: the sources are retrieved here, the conversation is
 * fitted to the server's context, the answer streams back and its code blocks are checked here.
 */
export async function answerOnServer(
  options: RemoteChatOptions,
  request: EngineChatRequest,
  cooperators: WorkspaceCooperators | undefined,
  signal: AbortSignal,
  onEvent?: ChatEventListener,
): Promise<EngineChatAnswer> {
  if (signal.aborted) return { text: "", sources: [], codeBlocks: [], stopReason: "aborted", tokens: 0 };
  const { contextSize } = options;
  const askedMaxTokens = request.maxTokens ?? defaultChatMaxTokens;
  const groundingTokens = Math.min(
    maxGroundingTokens,
    Math.floor(Math.max(0, contextSize - askedMaxTokens) / 2),
  );
  const attachments = request.attachments ?? [];
  const question = request.messages.at(-1)!.content;
  const retrieved = cooperators
    ? await retrieveSources(cooperators.retriever, question, attachments, {
        budgetTokens: groundingTokens,
        countTokens: estimateTokens,
      })
    : [];
  const codeOnly = request.codeOnly?.language;
  const prompt = buildRemoteChatMessages({
    turns: request.messages,
    attachments,
    sources: retrieved,
    maxTokens: askedMaxTokens,
    contextSize,
    groundingTokens,
    ...(codeOnly ? { instructions: codeOnlyInstructions(codeOnly) } : {}),
  });
  if (prompt.droppedTurns > 0 || prompt.cutAttachments > 0) {
    options.onLog?.(
      "info",
      `chat: left out the ${prompt.droppedTurns} oldest turns and cut ${prompt.cutAttachments} attachments to fit the server's context`,
    );
  }
  onEvent?.({ type: "sources", sources: prompt.sources });
  const answer = await options.backend.chat(
    { messages: prompt.messages, maxTokens: prompt.maxTokens, adapters: options.adapters },
    signal,
    (text) => onEvent?.({ type: "text", text }),
  );
  // Without a grammar on the server, the instructions ask for one block; a cut one is closed here.
  const text = codeOnly
    ? closeCodeOnly(answer.text, (piece) => onEvent?.({ type: "text", text: piece }))
    : answer.text;
  const check = codeBlockCheckFor(request, cooperators?.detectorWorkspace);
  const codeBlocks = await checkCodeBlocks(extractCodeBlocks(text), check, (message) =>
    options.onLog?.("warn", `chat: ${message}`),
  );
  return {
    text,
    sources: prompt.sources,
    codeBlocks,
    stopReason:
      answer.stopReason === "aborted" ? "aborted" : answer.stopReason === "limit" ? "maxTokens" : "eos",
    tokens: answer.stats.generatedTokens,
    ...(answer.stats.tokensPerSecond === undefined ? {} : { tokensPerSecond: answer.stats.tokensPerSecond }),
  };
}
