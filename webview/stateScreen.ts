import type { ChatViewState, StateAction } from "../extension/protocol/chatProtocol.js";
import { element } from "./dom.js";
import { actionLabels, progressText, stateScreenText } from "./labels.js";
import { button, progressRing } from "./toolkit.js";

/**
 * What the engine needs before it can answer: not downloaded, downloading, loading or failed, with
 * the buttons that fix it. Hidden when the engine is idle or ready (the chat is all there is then).
 */
export class StateScreen {
  readonly element: HTMLElement;
  private key: string | undefined;
  private progress: HTMLProgressElement | undefined;
  private progressLabel: HTMLElement | undefined;
  private detail: HTMLElement | undefined;

  constructor(private readonly onAction: (action: StateAction) => void) {
    this.element = element("section", {
      className: "state-screen",
      testId: "state-screen",
      attributes: { "aria-live": "polite" },
    });
    this.element.hidden = true;
  }

  update(state: ChatViewState | undefined): void {
    const text = state && stateScreenText(state);
    if (!state || !text) {
      this.key = undefined;
      this.element.hidden = true;
      this.element.replaceChildren();
      delete this.element.dataset.state;
      return;
    }
    this.element.hidden = false;
    this.element.dataset.state = state.engine;
    // Progress and detail change often while downloading: they are updated in place, so the
    // buttons keep their focus.
    const key = JSON.stringify([state.engine, state.variant, state.actions, state.progress === undefined]);
    if (key !== this.key) {
      this.key = key;
      this.build(state, text.title, text.explanation);
    }
    if (this.detail) {
      // The extension's detail often repeats the title ("Loading coop-tiny…"): said once is enough.
      const detail = state.detail === text.title ? undefined : state.detail;
      this.detail.textContent = detail ?? "";
      this.detail.hidden = !detail;
    }
    if (this.progress && state.progress !== undefined) this.progress.value = state.progress;
    if (this.progressLabel) this.progressLabel.textContent = progressText(state.progress) ?? "";
  }

  private build(state: ChatViewState, title: string, explanation: string | undefined): void {
    this.progress = undefined;
    this.progressLabel = undefined;
    this.element.setAttribute("aria-live", state.engine === "error" ? "assertive" : "polite");
    const nodes: Node[] = [element("h2", { className: "state-title", text: title })];
    if (explanation) nodes.push(element("p", { className: "state-explanation", text: explanation }));
    if (state.engine === "downloading") {
      this.progress = element("progress", {
        className: "state-progress",
        testId: "state-progress",
        attributes: { max: "1", "aria-label": "Download progress" },
      });
      // Without a value the bar is indeterminate: the size is not known yet.
      if (state.progress !== undefined) this.progress.value = state.progress;
      this.progressLabel = element("span", {
        className: "state-progress-text",
        testId: "state-progress-text",
      });
      nodes.push(element("div", { className: "state-progress-row" }, this.progress, this.progressLabel));
    }
    if (state.engine === "loading") {
      this.progressLabel = element("span", {
        className: "state-progress-text",
        testId: "state-progress-text",
      });
      nodes.push(
        element(
          "div",
          { className: "state-loading" },
          progressRing(`Loading ${state.variant}`),
          this.progressLabel,
        ),
      );
    }
    this.detail = element("p", {
      className: state.engine === "error" ? "state-detail state-detail-error" : "state-detail",
      testId: "state-detail",
    });
    nodes.push(this.detail);
    if (state.actions.length > 0) {
      const buttons = state.actions.map((action, position) =>
        button({
          label: actionLabels[action].label,
          ariaLabel: actionLabels[action].ariaLabel,
          testId: `state-action-${action}`,
          appearance: position === 0 ? "primary" : "secondary",
          onClick: () => this.onAction(action),
        }),
      );
      nodes.push(element("div", { className: "state-actions" }, ...buttons));
    }
    this.element.replaceChildren(...nodes);
  }
}
