import {
  parseExtensionMessage,
  parseWebviewMessage,
  type AttachMode,
  type StateAction,
  type WebviewToExtension,
} from "../extension/protocol/chatProtocol.js";
import { askMessage } from "./askMessage.js";
import { Composer } from "./composer.js";
import { Conversation } from "./conversation.js";
import { ConversationView } from "./conversationView.js";
import { element } from "./dom.js";
import { createFrameScheduler, type FrameScheduler } from "./frameScheduler.js";
import { canAsk, engineSummary } from "./labels.js";
import { newRequestId } from "./requestId.js";
import { StateScreen } from "./stateScreen.js";
import { button, setDisabled } from "./toolkit.js";
import { restoreChatView, type PersistedChatView } from "./viewState.js";

/** What the webview gets from acquireVsCodeApi(). */
export interface VsCodeApi {
  postMessage(message: WebviewToExtension): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/**
 * Saving the whole conversation on every chunk or progress step would cost more than the step: at most this
 * often.
 */
const frequentPersistMs = 500;

/** The chat view: the extension's messages in, the user's actions out, everything else delegated. */
export class ChatApp {
  private readonly conversation: Conversation;
  private draft: string;
  private attach: AttachMode;
  private readonly header: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly clear: HTMLElement;
  private readonly stateScreen: StateScreen;
  private readonly conversationView: ConversationView;
  private readonly composer: Composer;
  private readonly render: FrameScheduler;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private wrapCode: boolean;
  private readonly wrapToggle: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly vscode: VsCodeApi,
  ) {
    const saved = restoreChatView(vscode.getState());
    this.conversation = new Conversation(saved.conversation);
    this.draft = saved.draft;
    this.attach = saved.attach;
    this.wrapCode = saved.wrapCode === true;

    this.summary = element("span", { className: "engine-summary", testId: "engine-summary" });
    this.clear = button({
      label: "Clear",
      ariaLabel: "Clear the conversation",
      testId: "chat-clear",
      appearance: "secondary",
      onClick: () => this.post({ type: "clearHistory" }),
    });
    const showLog = button({
      label: "Show Log",
      ariaLabel: "Show Coop's log",
      testId: "chat-show-log",
      appearance: "secondary",
      onClick: () => this.runAction("showLog"),
    });
    this.wrapToggle = button({
      label: "Wrap",
      ariaLabel: "Wrap long lines in code blocks",
      testId: "chat-wrap-code",
      appearance: "secondary",
      onClick: () => {
        this.wrapCode = !this.wrapCode;
        this.showWrap(root);
        this.persistNow();
      },
    });
    this.header = element(
      "header",
      { className: "chat-header" },
      this.summary,
      element("span", { className: "header-buttons" }, this.wrapToggle, showLog, this.clear),
    );
    this.stateScreen = new StateScreen((action) => this.runAction(action));
    this.conversationView = new ConversationView({
      openSource: (source) => this.post({ type: "openSource", source }),
      insertCode: (code) => this.post({ type: "insertCode", code }),
      copyCode: (code) => this.post({ type: "copyCode", code }),
      applyCode: (code, language) =>
        this.post({ type: "applyCode", code, ...(language ? { language } : {}) }),
    });
    this.composer = new Composer({
      draft: this.draft,
      attach: this.attach,
      onDraft: (text) => {
        this.draft = text;
        this.persistNow();
      },
      onAttach: (mode) => {
        this.attach = mode;
        this.persistNow();
      },
      onSend: (text, attach) => this.ask(text, attach),
      onStop: () => this.stop(),
    });
    this.showWrap(root);
    // Escape stops the answer that is streaming, wherever the focus is in the view.
    root.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || this.conversation.activeRequests.length === 0) return;
      event.preventDefault();
      this.stop();
      this.composer.focus();
    });
    root.replaceChildren(
      this.header,
      this.stateScreen.element,
      this.conversationView.element,
      this.composer.element,
    );
    this.render = createFrameScheduler(
      () => this.renderNow(),
      (callback) => requestAnimationFrame(callback),
    );
    this.renderNow();
  }

  /** Every message from the extension comes through here; a malformed one is ignored, never acted on. */
  receive(raw: unknown): void {
    const message = parseExtensionMessage(raw);
    if (!message) {
      console.warn("Coop chat: ignored a malformed message from the extension", raw);
      return;
    }
    try {
      if (!this.conversation.apply(message)) return;
      this.render.schedule();
      // Chunks and download progress come many times a second; the rest is saved at once.
      if (message.type === "chunk" || message.type === "state") this.persistSoon();
      else this.persistNow();
    } catch (error) {
      console.error("Coop chat: could not show a message", message.type, error);
    }
  }

  private ask(text: string, attach: AttachMode): boolean {
    const result = askMessage(text, attach, newRequestId());
    if ("empty" in result) return false;
    if ("error" in result) {
      this.composer.showNotice(result.error);
      return false;
    }
    if (!this.post(result.message)) return false;
    this.conversation.asked(result.message.requestId);
    this.render.schedule();
    return true;
  }

  private stop(): void {
    for (const requestId of this.conversation.activeRequests) {
      this.post({ type: "stop", requestId });
      this.conversation.stopped(requestId);
    }
    this.render.schedule();
  }

  private runAction(action: StateAction): void {
    this.post({ type: "action", action });
  }

  /** Sends a message the extension will accept, or says in the view why it cannot. */
  private post(message: WebviewToExtension): boolean {
    if (!parseWebviewMessage(message)) {
      this.composer.showNotice(
        message.type === "ask"
          ? "The question could not be sent."
          : "That is too large to send to the editor.",
      );
      return false;
    }
    this.composer.showNotice(undefined);
    this.vscode.postMessage(message);
    return true;
  }

  private renderNow(): void {
    try {
      const state = this.conversation.engineState;
      this.summary.textContent = engineSummary(state);
      this.summary.title = this.summary.textContent;
      this.stateScreen.update(state);
      this.conversationView.update(this.conversation.items);
      const busy = this.conversation.activeRequests.length > 0;
      this.composer.setBusy(busy);
      this.composer.setCanSend(canAsk(state), "Coop cannot answer yet: the panel above says what it needs.");
      setDisabled(this.clear, this.conversation.isEmpty && !busy);
    } catch (error) {
      console.error("Coop chat: could not render", error);
    }
  }

  private persistSoon(): void {
    this.persistTimer ??= setTimeout(() => this.persistNow(), frequentPersistMs);
  }

  private persistNow(): void {
    if (this.persistTimer !== undefined) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    const state: PersistedChatView = {
      version: 1,
      draft: this.draft,
      attach: this.attach,
      conversation: this.conversation.snapshot(),
      ...(this.wrapCode ? { wrapCode: true } : {}),
    };
    this.vscode.setState(state);
  }

  /** Code blocks scroll sideways, or wrap while the toggle is pressed. */
  private showWrap(root: HTMLElement): void {
    root.classList.toggle("wrap-code", this.wrapCode);
    this.wrapToggle.setAttribute("aria-pressed", String(this.wrapCode));
  }
}
