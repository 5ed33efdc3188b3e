import { CompletionAbortedError, type CompletionEngine, type TokenDecoder } from "../completion/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";
import { PairedDecoder, contrastiveChoice, type PairedContexts } from "../ensemble/index.js";
import type {
  ChatEventListener,
  ChatSource,
  EngineChatAnswer,
  EngineChatRequest,
} from "../host/contract/engineApi.js";
import { buildChatPrompt } from "./chatPrompt.js";
import { ChatRequestError, defaultChatMaxTokens, validateChatRequest } from "./chatRequest.js";
import { chatTemplateOf, type ChatTemplate } from "./chatTemplate.js";
import { checkCodeBlocks, codeBlockCheckFor } from "./checkCodeBlocks.js";
import { chooseCodeBlocks } from "./codeBlockCandidates.js";
import { closeCodeOnly, codeOnlyGrammar, codeOnlyInstructions } from "./codeOnlyAnswer.js";
import { extractCodeBlocks } from "./codeBlocks.js";
import { generateAnswer, generateDecodedAnswer } from "./generateAnswer.js";
import { retrieveSources } from "./retrieveSources.js";

/** Tokens of attachments and sources at most, however large the context. */
const maxGroundingTokens = 2048;
/** Names the chat's prompt in the sequence pool: the next question reuses its evaluated prefix. */
const chatSequenceOwner = "coop:chat";

export interface ChatDecoding {
  /** The target and the draft, for contrastive decoding; absent when the variant has no draft. */
  contrastivePair?: PairedContexts;
  /**
   * Chooses every token of an answer instead of the target alone (a token-ensemble variant); not for
   * code-only answers.
   */
  decoder?: TokenDecoder;
}

/**
 * Answers chat questions with a variant's models: retrieves workspace sources, builds the prompt in
 * the model's chat format, generates on a sequence of the completion engine's pool (so the draft
 * speculates for it and its speed joins the engine's stats), or with a two-model decoder when asked,
 * streams the text, optionally draws other versions of its code blocks (best-of-n), and checks the
 * answer's code blocks with the detector.
 */
export class ChatResponder {
  private template: Promise<ChatTemplate> | undefined;

  constructor(
    private readonly completion: CompletionEngine,
    private readonly onLog?: (level: string, message: string) => void,
    private readonly decoding: ChatDecoding = {},
  ) {}

  /** Answers the request's last question. Aborting resolves with the answer so far (stopReason "aborted"). */
  async answer(
    request: EngineChatRequest,
    cooperators: WorkspaceCooperators | undefined,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    validateChatRequest(request);
    const decoder = this.decoderFor(request);
    if (signal?.aborted) return abortedAnswer([]);
    const model = this.completion.model;
    const template = await this.chatTemplate();
    const countTokens = (text: string) => model.tokenize(text, false).length;
    const askedMaxTokens = request.maxTokens ?? defaultChatMaxTokens;
    const groundingTokens = Math.min(
      maxGroundingTokens,
      Math.floor(Math.max(0, this.completion.contextSize - askedMaxTokens) / 2),
    );
    const attachments = request.attachments ?? [];
    const question = request.messages.at(-1)!.content;
    const retrieved = cooperators
      ? await retrieveSources(cooperators.retriever, question, attachments, {
          budgetTokens: groundingTokens,
          countTokens,
        })
      : [];
    const codeOnly = request.codeOnly?.language;
    const prompt = buildChatPrompt(
      {
        turns: request.messages,
        attachments,
        sources: retrieved,
        maxTokens: askedMaxTokens,
        contextSize: this.completion.contextSize,
        groundingTokens,
        ...(codeOnly ? { instructions: codeOnlyInstructions(codeOnly) } : {}),
      },
      template,
      countTokens,
    );
    if (prompt.droppedTurns > 0 || prompt.cutAttachments > 0) {
      this.onLog?.(
        "info",
        `chat: left out the ${prompt.droppedTurns} oldest turns and cut ${prompt.cutAttachments} attachments to fit the context`,
      );
    }
    onEvent?.({ type: "sources", sources: prompt.sources });
    const grammarEvaluationState = codeOnly
      ? await this.completion.grammarEvaluationState(codeOnlyGrammar(codeOnly))
      : undefined;

    let generated;
    try {
      // A decoder keeps its own sequences; the pool's is held all the same, so disposing the engine stops the
      // answer.
      generated = await this.completion.withSequence(
        chatSequenceOwner,
        signal,
        (sequence, sequenceSignal) => {
          const options = {
            maxTokens: prompt.maxTokens,
            stops: template.stops,
            signal: sequenceSignal,
            onText: (text: string) => onEvent?.({ type: "text", text }),
          };
          return decoder
            ? generateDecodedAnswer(decoder, model, prompt.tokens, options)
            : generateAnswer(sequence, prompt.tokens, { ...options, grammarEvaluationState });
        },
        "chat",
      );
    } catch (error) {
      // Aborted while another request held the sequence: nothing was generated.
      if (error instanceof CompletionAbortedError) return abortedAnswer(prompt.sources);
      throw error;
    }
    this.completion.stats.record(generated.stats);
    if (codeOnly)
      generated = {
        ...generated,
        text: closeCodeOnly(generated.text, (text) => onEvent?.({ type: "text", text })),
      };

    const check = codeBlockCheckFor(request, cooperators?.detectorWorkspace);
    const onError = (message: string): void => this.onLog?.("warn", `chat: ${message}`);
    let bestOfN: EngineChatAnswer["bestOfN"];
    if (request.bestOfN && request.bestOfN.n > 1 && generated.stopReason !== "aborted") {
      const chosen = await chooseCodeBlocks(this.completion, generated.text, request.bestOfN, {
        prompt: prompt.tokens,
        sequenceOwner: chatSequenceOwner,
        stops: template.stops,
        maxTokens: prompt.maxTokens,
        codeOnly: codeOnly !== undefined,
        check,
        signal,
        onError,
      });
      generated = { ...generated, text: chosen.text };
      bestOfN = { blocks: chosen.blocks };
    }
    const codeBlocks = await checkCodeBlocks(extractCodeBlocks(generated.text), check, onError);
    return {
      ...(bestOfN ? { bestOfN } : {}),
      text: generated.text,
      sources: prompt.sources,
      codeBlocks,
      stopReason: generated.stopReason,
      tokens: generated.tokens,
      ...(generated.stats.tokensPerSecond === undefined
        ? {}
        : { tokensPerSecond: generated.stats.tokensPerSecond }),
    };
  }

  /**
   * Contrastive decoding with the request's settings, the variant's own decoder, or none (the target
   * greedily).
   */
  private decoderFor(request: EngineChatRequest): TokenDecoder | undefined {
    const contrastive = request.contrastive;
    if (contrastive) {
      const pair = this.decoding.contrastivePair;
      if (!pair)
        throw new ChatRequestError(
          "Contrastive decoding needs a variant with a draft model (the amateur); this variant has none",
        );
      return new PairedDecoder(pair, (expert, amateur) => contrastiveChoice(expert, amateur, contrastive));
    }
    return request.codeOnly ? undefined : this.decoding.decoder;
  }

  /**
   * The model's chat format, worked out on first use; a failure is not kept, so the next question tries
   * again.
   */
  private chatTemplate(): Promise<ChatTemplate> {
    this.template ??= chatTemplateOf(this.completion.model).catch((error: unknown) => {
      this.template = undefined;
      throw error;
    });
    return this.template;
  }
}

function abortedAnswer(sources: ChatSource[]): EngineChatAnswer {
  return { text: "", sources, codeBlocks: [], stopReason: "aborted", tokens: 0 };
}
