import type { AttachMode } from "../extension/protocol/chatProtocol.js";
import { composerKeyAction } from "./askMessage.js";
import { element } from "./dom.js";
import { button, dropdown, setDisabled, textArea, type TextArea } from "./toolkit.js";

export interface ComposerOptions {
  draft: string;
  attach: AttachMode;
  onDraft(text: string): void;
  onAttach(mode: AttachMode): void;
  /** Returns whether the question was sent (then the input is emptied). */
  onSend(text: string, attach: AttachMode): boolean;
  onStop(): void;
}

/** The question input with its attach selector, Send, and Stop while an answer streams. */
export class Composer {
  readonly element: HTMLElement;
  private readonly input: TextArea;
  private readonly send: HTMLElement;
  private readonly stop: HTMLElement;
  private readonly notice: HTMLElement;
  private attach: AttachMode;
  private canSend = true;
  private cannotSendReason = "";

  constructor(private readonly options: ComposerOptions) {
    this.attach = options.attach;
    this.input = textArea({
      ariaLabel: "Question for Coop (Enter sends, Shift+Enter starts a new line)",
      placeholder: "Ask Coop… (/code for code only; Enter to send, Shift+Enter for a new line)",
      testId: "chat-input",
      value: options.draft,
      rows: 3,
      onInput: (text) => {
        this.showNotice(undefined);
        options.onDraft(text);
      },
      onKeyDown: (event) => {
        if (composerKeyAction(event) !== "send") return;
        event.preventDefault();
        this.submit();
      },
    });
    const attach = dropdown<AttachMode>({
      ariaLabel: "Attach to the question",
      testId: "chat-attach",
      value: options.attach,
      choices: [
        { value: "none", label: "No attachment", testId: "chat-attach-none" },
        { value: "selection", label: "Attach selection", testId: "chat-attach-selection" },
        { value: "file", label: "Attach current file", testId: "chat-attach-file" },
      ],
      onChange: (mode) => {
        this.attach = mode;
        options.onAttach(mode);
      },
    });
    this.send = button({
      label: "Send",
      ariaLabel: "Send the question",
      testId: "chat-send",
      onClick: () => this.submit(),
    });
    this.stop = button({
      label: "Stop",
      ariaLabel: "Stop the answer",
      testId: "chat-stop",
      appearance: "secondary",
      onClick: () => options.onStop(),
    });
    this.stop.hidden = true;
    this.notice = element("div", {
      className: "composer-notice",
      testId: "composer-notice",
      attributes: { role: "alert" },
    });
    this.notice.hidden = true;
    this.element = element(
      "form",
      { className: "composer", attributes: { "aria-label": "Ask Coop" } },
      this.input.element,
      this.notice,
      element(
        "div",
        { className: "composer-row" },
        attach.element,
        element("span", { className: "composer-buttons" }, this.stop, this.send),
      ),
    );
    this.element.addEventListener("submit", (event) => event.preventDefault());
  }

  /** Stop shows while a request is running. */
  setBusy(busy: boolean): void {
    this.stop.hidden = !busy;
  }

  /** Send is off while the engine cannot answer (the state screen says why); typing stays possible. */
  setCanSend(canSend: boolean, why: string): void {
    this.canSend = canSend;
    this.cannotSendReason = why;
    setDisabled(this.send, !canSend);
    this.send.title = canSend ? "Send the question" : why;
  }

  showNotice(message: string | undefined): void {
    this.notice.textContent = message ?? "";
    this.notice.hidden = message === undefined;
  }

  focus(): void {
    this.input.focus();
  }

  private submit(): void {
    if (!this.canSend) {
      this.showNotice(this.cannotSendReason);
      return;
    }
    const text = this.input.value;
    if (this.options.onSend(text, this.attach)) {
      this.input.value = "";
      this.options.onDraft("");
      this.input.focus();
    }
  }
}
