import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import type { ChatCodeBlock, ChatSource, EngineChatAnswer } from "../../engine/host/contract/index.js";
import type { CoopConfig } from "../settings/config.js";
import type { EngineConnection } from "../engine/engineConnection.js";
import type {
  AttachMode,
  ChatEntry,
  ChatSourceRef,
  CodeBlockCheck,
  ExtensionToWebview,
} from "../protocol/chatProtocol.js";
import { attachmentFrom } from "./attachments.js";
import { fenceTagFor, parseChatCommand } from "./chatCommand.js";
import { walkthroughStepDone } from "../walkthrough/walkthroughProgress.js";
import type { ChatHistory } from "./chatHistory.js";
import { describeError } from "../../engine/errors/index.js";

/**
 * Questions and answers of the chat: asks the engine, streams the answer to the view, keeps the
 * workspace's history. Only one answer streams at a time; asking again stops the previous one.
 */
export class ChatSession implements vscode.Disposable {
  private streaming: { requestId: string; controller: AbortController } | undefined;
  /** Bumped by clear(): an answer that was streaming then is not stored into the emptied history. */
  private historyGeneration = 0;

  constructor(
    private readonly engine: EngineConnection,
    private readonly config: CoopConfig,
    private readonly history: ChatHistory,
    private readonly lastEditor: () => vscode.TextEditor | undefined,
    private readonly post: (message: ExtensionToWebview) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async ask(requestId: string, text: string, attach: AttachMode): Promise<void> {
    this.streaming?.controller.abort();
    const controller = new AbortController();
    this.streaming = { requestId, controller };
    walkthroughStepDone("chatAsked");
    const conversation = this.history.conversation();
    const editor = this.lastEditor();
    const attached = attachmentFrom(editor, attach);
    if (attached && "missing" in attached)
      void vscode.window.showInformationMessage(
        `Coop: ${attached.missing} The question was sent without it.`,
      );
    const withAttachment = attached && "attachment" in attached ? attached : undefined;
    const question: ChatEntry = {
      id: randomUUID(),
      role: "user",
      text,
      ...(withAttachment ? { attached: withAttachment.label } : {}),
    };
    const answerId = randomUUID();
    const generation = this.historyGeneration;
    await this.history.put(question);
    this.post({ type: "answerStart", requestId, question, answerId });

    let text_ = "";
    let sources: ChatSourceRef[] = [];
    let answer: ChatEntry;
    try {
      const { question: content, codeOnly } = parseChatCommand(text);
      const language = withAttachment?.attachment.language ?? editor?.document.languageId;
      const bestOfN = this.config.bestOfN(editor?.document);
      // A code-only answer is held to its shape by a grammar, which contrastive decoding cannot follow.
      const contrastive = codeOnly ? undefined : this.config.chatContrastive(editor?.document);
      const result = await this.engine.chat(
        {
          messages: [...conversation, { role: "user", content }],
          attachments: withAttachment ? [withAttachment.attachment] : [],
          policy: this.config.detectorPolicy(editor?.document),
          ...(codeOnly ? { codeOnly: { language: fenceTagFor(language) } } : {}),
          ...(contrastive ? { contrastive } : {}),
          ...(bestOfN ? { bestOfN } : {}),
        },
        controller.signal,
        (event) => {
          if (event.type === "sources") {
            sources = event.sources.map(sourceRef);
            this.post({ type: "sources", requestId, sources });
          } else {
            text_ += event.text;
            this.post({ type: "chunk", requestId, text: event.text });
          }
        },
      );
      answer = answerEntry(answerId, result);
    } catch (error) {
      const message = describeError(error);
      this.log.error(`Chat request failed: ${message}`);
      answer = { id: answerId, role: "assistant", text: text_, sources, error: message };
    } finally {
      if (this.isStreaming(requestId)) this.streaming = undefined;
    }
    if (generation === this.historyGeneration) await this.history.put(answer);
    this.post({ type: "answerEnd", requestId, answer });
  }

  stop(requestId: string): void {
    if (this.isStreaming(requestId)) this.streaming?.controller.abort();
  }

  async clear(): Promise<void> {
    this.historyGeneration++;
    this.streaming?.controller.abort();
    await this.history.clear();
    this.post({ type: "history", entries: [] });
  }

  dispose(): void {
    this.streaming?.controller.abort();
  }

  /** A method, not an inline check: the answer's awaits may have replaced `streaming` meanwhile. */
  private isStreaming(requestId: string): boolean {
    return this.streaming?.requestId === requestId;
  }
}

function answerEntry(id: string, result: EngineChatAnswer): ChatEntry {
  const codeBlocks = result.codeBlocks.filter((block) => block.findings.length > 0).map(codeBlockCheck);
  return {
    id,
    role: "assistant",
    text: result.text,
    sources: result.sources.map(sourceRef),
    ...(codeBlocks.length > 0 ? { codeBlocks } : {}),
    stopReason: result.stopReason,
    ...(result.tokensPerSecond !== undefined ? { tokensPerSecond: result.tokensPerSecond } : {}),
  };
}

function sourceRef(source: ChatSource): ChatSourceRef {
  return { path: source.path, startLine: source.startLine, endLine: source.endLine };
}

function codeBlockCheck(block: ChatCodeBlock): CodeBlockCheck {
  return {
    index: block.index,
    findings: block.findings.map(({ kind, name, evidence, suggestions }) => ({
      kind,
      name,
      evidence,
      suggestions,
    })),
  };
}
