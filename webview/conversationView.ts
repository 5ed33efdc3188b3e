import type { ConversationItem } from "./conversation.js";
import { element } from "./dom.js";
import { EntryView, type EntryActions } from "./entryView.js";

/** The list of entries, keyed by entry id: an entry is re-rendered only when its revision changed. */
export class ConversationView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private views = new Map<string, { view: EntryView; revision: number }>();

  constructor(private readonly actions: EntryActions) {
    this.empty = element("p", {
      className: "chat-empty",
      testId: "chat-empty",
      text: "Ask about your code. Coop answers with models that run on your machine, grounded in your workspace.",
    });
    this.list = element("div", { className: "entries" });
    this.element = element(
      "section",
      { className: "conversation", testId: "conversation", attributes: { "aria-label": "Conversation" } },
      this.empty,
      this.list,
    );
  }

  update(items: ConversationItem[]): void {
    const followBottom = this.isNearBottom();
    const next = new Map<string, { view: EntryView; revision: number }>();
    items.forEach((item, position) => {
      let known = this.views.get(item.entry.id);
      if (!known || known.view.element.dataset.role !== item.entry.role)
        known = { view: new EntryView(item.entry.role, this.actions), revision: -1 };
      if (known.revision !== item.revision) {
        known.view.update(item);
        known.revision = item.revision;
      }
      next.set(item.entry.id, known);
      const atPosition = this.list.children[position];
      if (atPosition !== known.view.element) this.list.insertBefore(known.view.element, atPosition ?? null);
    });
    for (const [id, { view }] of this.views) if (next.get(id)?.view !== view) view.element.remove();
    this.views = next;
    this.empty.hidden = items.length > 0;
    if (followBottom) this.element.scrollTop = this.element.scrollHeight;
  }

  /** Whether the user is reading the end (then new text keeps it in view) rather than scrolled up. */
  private isNearBottom(): boolean {
    return this.element.scrollHeight - this.element.scrollTop - this.element.clientHeight < 48;
  }
}
