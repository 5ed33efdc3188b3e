import type { ChatEntry, ChatSourceRef, CodeBlockFinding } from "../extension/protocol/chatProtocol.js";
import type { ConversationItem } from "./conversation.js";
import { element } from "./dom.js";
import { answerStatus, findingText, sourceAriaLabel, sourceLabel } from "./labels.js";
import { renderMarkdown, type FencedCodeBlock } from "./markdown.js";
import { button, setDisabled } from "./toolkit.js";

export interface EntryActions {
  openSource(source: ChatSourceRef): void;
  insertCode(code: string): void;
  copyCode(code: string): void;
  applyCode(code: string, language: string | undefined): void;
}

/** A part of an entry rebuilt only when what it shows changes (a click on a button survives the stream). */
class Slot {
  private key: string | undefined;
  constructor(readonly element: HTMLElement) {}

  show(key: string, build: () => (Node | string)[]): void {
    if (key === this.key) return;
    this.key = key;
    const nodes = build();
    this.element.replaceChildren(...nodes);
    this.element.hidden = nodes.length === 0;
  }
}

/** One entry of the conversation: the user's question, or an answer rendered as markdown. */
export class EntryView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private blocks: { key: string; node: HTMLElement }[] = [];
  private readonly thinking = element("p", { className: "thinking", text: "Thinking…" });
  private readonly unmatchedFindings: Slot;
  private readonly sources: Slot;
  private readonly error: Slot;
  private readonly status: Slot;

  constructor(
    role: ChatEntry["role"],
    private readonly actions: EntryActions,
  ) {
    const assistant = role === "assistant";
    this.body = element("div", { className: assistant ? "entry-body markdown" : "entry-body user-text" });
    if (assistant) {
      this.body.setAttribute("aria-live", "polite");
      this.thinking.hidden = true;
      this.body.append(this.thinking);
    }
    this.unmatchedFindings = new Slot(element("div", { className: "unmatched-findings" }));
    this.sources = new Slot(
      element("nav", { className: "entry-sources", attributes: { "aria-label": "Sources of this answer" } }),
    );
    this.error = new Slot(element("div", { className: "entry-error", testId: "entry-error" }));
    this.status = new Slot(element("div", { className: "entry-status", testId: "entry-status" }));
    const footer = element(
      "div",
      { className: "entry-footer", attributes: { "aria-live": "polite" } },
      this.error.element,
      this.status.element,
    );
    this.element = element(
      "article",
      {
        className: `entry entry-${role}`,
        testId: "chat-entry",
        attributes: { "data-role": role, "aria-label": assistant ? "Coop's answer" : "Your question" },
      },
      element("div", { className: "entry-author", text: assistant ? "Coop" : "You" }),
      this.body,
      this.unmatchedFindings.element,
      this.sources.element,
      footer,
    );
  }

  update(item: ConversationItem): void {
    const { entry, streaming } = item;
    this.element.dataset.entryId = entry.id;
    this.element.dataset.streaming = String(streaming !== undefined);
    if (streaming) this.element.setAttribute("aria-busy", "true");
    else this.element.removeAttribute("aria-busy");
    if (entry.stopReason) this.element.dataset.stopReason = entry.stopReason;
    else delete this.element.dataset.stopReason;

    if (entry.role === "user") this.renderQuestion(entry);
    else this.renderAnswer(entry, streaming !== undefined);
    this.sources.show(JSON.stringify(entry.sources ?? []), () => this.sourceNodes(entry.sources ?? []));
    this.error.show(entry.error ?? "", () =>
      entry.error ? [element("span", { className: "entry-error-label", text: "Error: " }), entry.error] : [],
    );
    const status = streaming
      ? streaming.resumed
        ? "Still answering; the rest of this answer appears when it is complete."
        : "Answering…"
      : answerStatus(entry);
    this.status.show(status, () => (status ? [status] : []));
  }

  private renderQuestion(entry: ChatEntry): void {
    const attached = entry.attached
      ? [element("div", { className: "entry-attached", text: `With ${entry.attached}` })]
      : [];
    this.body.replaceChildren(element("div", { className: "question-text", text: entry.text }), ...attached);
  }

  private renderAnswer(entry: ChatEntry, streaming: boolean): void {
    const rendered = renderMarkdown(entry.text);
    const findings = new Map((entry.codeBlocks ?? []).map((check) => [check.index, check.findings]));
    const usable = (block: FencedCodeBlock): boolean => block.closed || !streaming;
    const nodes = rendered.blocks.map((block, position) => {
      // What the decoration depends on besides the HTML (which holds the code): a rebuilt block gets new
      // buttons.
      const decoration = block.codeBlockIndexes.map((index) => [
        rendered.codeBlocks[index]!.language,
        usable(rendered.codeBlocks[index]!),
        findings.get(index) ?? [],
      ]);
      const key = `${block.html}\u0000${JSON.stringify(decoration)}`;
      const previous = this.blocks[position];
      if (previous?.key === key) return previous;
      const node = element("div", { className: "md-block" });
      // renderMarkdown escapes every piece of the answer's text (html is off) and emits only its own tags.
      node.innerHTML = block.html;
      for (const container of node.querySelectorAll<HTMLElement>(".code-block")) {
        const codeBlock = rendered.codeBlocks[Number(container.dataset.blockIndex)];
        if (codeBlock)
          this.decorateCodeBlock(
            container,
            codeBlock,
            findings.get(codeBlock.index) ?? [],
            usable(codeBlock),
          );
      }
      return { key, node };
    });
    // Only changed blocks are swapped: while an answer streams, the blocks above its end stay put.
    nodes.forEach((block, position) => {
      const previous = this.blocks[position];
      if (previous === block) return;
      if (previous) previous.node.replaceWith(block.node);
      else this.body.insertBefore(block.node, this.thinking);
    });
    for (const stale of this.blocks.slice(nodes.length)) stale.node.remove();
    this.blocks = nodes;
    this.thinking.hidden = !(streaming && nodes.length === 0);

    // Findings for a block index the text does not have (the engine numbered differently): shown, not lost.
    const unmatched = [...findings].filter(
      ([index, list]) => index >= rendered.codeBlocks.length && list.length > 0,
    );
    this.unmatchedFindings.show(JSON.stringify(unmatched), () =>
      unmatched.map(([index, list]) => findingsNode(list, `In code block ${index + 1}`)),
    );
  }

  private decorateCodeBlock(
    container: HTMLElement,
    block: FencedCodeBlock,
    findings: CodeBlockFinding[],
    usable: boolean,
  ): void {
    const number = block.index + 1;
    const actions = [
      button({
        label: "Insert",
        ariaLabel: `Insert code block ${number} at the cursor`,
        testId: "code-insert",
        appearance: "secondary",
        onClick: () => this.actions.insertCode(block.code),
      }),
      button({
        label: "Copy",
        ariaLabel: `Copy code block ${number}`,
        testId: "code-copy",
        appearance: "secondary",
        onClick: () => this.actions.copyCode(block.code),
      }),
      button({
        label: "Apply",
        ariaLabel: `Apply code block ${number} as a diff preview`,
        testId: "code-apply",
        appearance: "secondary",
        onClick: () => this.actions.applyCode(block.code, block.language),
      }),
    ];
    for (const action of actions) setDisabled(action, !usable);
    // A long line scrolls sideways: the code can take the focus, so arrow keys scroll it too.
    const code = container.querySelector("pre");
    if (code) {
      code.tabIndex = 0;
      code.setAttribute("aria-label", `Code block ${number}${block.language ? ` (${block.language})` : ""}`);
    }
    container.dataset.language = block.language ?? "";
    container.dataset.closed = String(block.closed);
    container.prepend(
      element(
        "div",
        { className: "code-toolbar" },
        element("span", { className: "code-language", text: block.language ?? "code" }),
        element("span", { className: "code-actions" }, ...actions),
      ),
    );
    if (findings.length > 0) container.append(findingsNode(findings));
  }

  private sourceNodes(sources: ChatSourceRef[]): Node[] {
    if (sources.length === 0) return [];
    const items = sources.map((source) => {
      const link = element("button", {
        className: "source-link",
        testId: "source-link",
        text: sourceLabel(source),
        attributes: { type: "button", "aria-label": sourceAriaLabel(source), title: sourceAriaLabel(source) },
      });
      link.addEventListener("click", () => this.actions.openSource(source));
      return element("li", {}, link);
    });
    return [element("span", { className: "sources-title", text: "Sources" }), element("ul", {}, ...items)];
  }
}

/** The detector's findings on one code block: what does not exist, why, and what does. */
function findingsNode(findings: CodeBlockFinding[], heading?: string): HTMLElement {
  const items = findings.map((finding) => {
    const text = findingText(finding);
    return element(
      "li",
      { className: "code-finding", testId: "code-finding", attributes: { "data-kind": finding.kind } },
      element("span", { className: "finding-title", text: `${text.title} ` }),
      element("code", { className: "finding-name", text: text.name }),
      element("span", { className: "finding-evidence", text: `: ${text.evidence}` }),
      ...(text.suggestions
        ? [element("div", { className: "finding-suggestions", text: text.suggestions })]
        : []),
    );
  });
  return element(
    "div",
    {
      className: "code-findings",
      testId: "code-findings",
      attributes: { role: "note", "aria-label": "Detector warnings for this code" },
    },
    element("div", {
      className: "findings-heading",
      text: heading ? `⚠ ${heading}, Coop's detector found:` : "⚠ Coop's detector found:",
    }),
    element("ul", {}, ...items),
  );
}
