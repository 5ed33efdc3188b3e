import type { ChatEntry, ChatViewState, ExtensionToWebview } from "../extension/protocol/chatProtocol.js";

/** An answer that is still streaming, tied to the request that asked for it. */
export interface StreamingAnswer {
  requestId: string;
  questionId: string;
  answerId: string;
  /**
   * Restored after the view was recreated: chunks sent while it was gone are lost, so later ones
   * are not appended (they would leave a hole); the stored answer replaces it at answerEnd.
   */
  resumed: boolean;
}

/** What survives the view being hidden (see viewState.ts). */
export interface ConversationSnapshot {
  entries: ChatEntry[];
  streaming: StreamingAnswer[];
  engine?: ChatViewState;
}

export interface ConversationItem {
  entry: ChatEntry;
  /** Grows whenever the entry changes: the view re-renders an entry only when it differs. */
  revision: number;
  streaming?: StreamingAnswer;
}

/**
 * The conversation as the view shows it: the extension's messages applied in order. Entries are
 * replaced, never mutated, so an entry the view holds stays what it rendered.
 */
export class Conversation {
  private entries: ChatEntry[];
  private revisions = new Map<string, number>();
  private streaming: StreamingAnswer[];
  /** Asked but not yet accepted (no answerStart yet). */
  private pending = new Set<string>();
  private engine: ChatViewState | undefined;
  private nextRevision = 1;

  constructor(snapshot?: ConversationSnapshot) {
    this.entries = [...(snapshot?.entries ?? [])];
    for (const entry of this.entries) this.touch(entry.id);
    const ids = new Set(this.entries.map((entry) => entry.id));
    this.streaming = (snapshot?.streaming ?? [])
      .filter((answer) => ids.has(answer.answerId))
      .map((answer) => ({ ...answer, resumed: true }));
    this.engine = snapshot?.engine;
  }

  get engineState(): ChatViewState | undefined {
    return this.engine;
  }

  get items(): ConversationItem[] {
    return this.entries.map((entry) => {
      const streaming = this.streaming.find((answer) => answer.answerId === entry.id);
      return { entry, revision: this.revisions.get(entry.id) ?? 0, ...(streaming ? { streaming } : {}) };
    });
  }

  /** The requests Stop applies to: those streaming and those asked but not yet accepted. */
  get activeRequests(): string[] {
    return [...new Set([...this.pending, ...this.streaming.map((answer) => answer.requestId)])];
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  snapshot(): ConversationSnapshot {
    return {
      entries: [...this.entries],
      streaming: this.streaming.map((answer) => ({ ...answer })),
      ...(this.engine ? { engine: this.engine } : {}),
    };
  }

  /** The view sent a question; it becomes an entry when the extension accepts it (answerStart). */
  asked(requestId: string): void {
    this.pending.add(requestId);
  }

  /** The view asked to stop: a request that was never accepted stops waiting here too. */
  stopped(requestId: string): void {
    this.pending.delete(requestId);
  }

  /** Applies one message; returns whether anything the view shows changed. */
  apply(message: ExtensionToWebview): boolean {
    switch (message.type) {
      case "state":
        this.engine = message.state;
        return true;
      case "history":
        this.replaceHistory(message.entries);
        return true;
      case "answerStart":
        return this.startAnswer(message.requestId, message.question, message.answerId);
      case "sources":
        return this.updateStreaming(message.requestId, (entry) => ({ ...entry, sources: message.sources }));
      case "chunk":
        if (message.text === "" || this.streamingFor(message.requestId)?.resumed) return false;
        return this.updateStreaming(message.requestId, (entry) => ({
          ...entry,
          text: entry.text + message.text,
        }));
      case "answerEnd":
        return this.endAnswer(message.requestId, message.answer);
    }
  }

  private replaceHistory(entries: ChatEntry[]): void {
    const previous = new Map(this.entries.map((entry) => [entry.id, entry]));
    const ids = new Set(entries.map((entry) => entry.id));
    // An answer still streaming is not in the stored history yet: it stays after its question.
    // After a clear its question is gone too, and so is the answer.
    const kept = this.streaming.filter(
      (answer) => ids.has(answer.questionId) && !ids.has(answer.answerId) && previous.has(answer.answerId),
    );
    this.entries = [...entries, ...kept.map((answer) => previous.get(answer.answerId)!)];
    this.streaming = kept;
    this.revisions.clear();
    for (const entry of this.entries) this.touch(entry.id);
  }

  private startAnswer(requestId: string, question: ChatEntry, answerId: string): boolean {
    this.pending.delete(requestId);
    if (this.streamingFor(requestId) || this.entries.some((entry) => entry.id === answerId)) return false;
    if (!this.entries.some((entry) => entry.id === question.id)) {
      this.entries.push(question);
      this.touch(question.id);
    }
    this.entries.push({ id: answerId, role: "assistant", text: "" });
    this.touch(answerId);
    this.streaming.push({ requestId, questionId: question.id, answerId, resumed: false });
    return true;
  }

  private endAnswer(requestId: string, answer: ChatEntry): boolean {
    this.pending.delete(requestId);
    const streaming = this.streamingFor(requestId);
    if (streaming) this.streaming = this.streaming.filter((other) => other !== streaming);
    // Without its streaming entry (it was cleared meanwhile) the answer is not shown; the stored one
    // only replaces an entry the view still has.
    const position = this.entries.findIndex((entry) => entry.id === (streaming?.answerId ?? answer.id));
    if (position < 0) return streaming !== undefined;
    this.revisions.delete(this.entries[position]!.id);
    this.entries[position] = answer;
    this.touch(answer.id);
    return true;
  }

  private updateStreaming(requestId: string, change: (entry: ChatEntry) => ChatEntry): boolean {
    const streaming = this.streamingFor(requestId);
    const position = streaming ? this.entries.findIndex((entry) => entry.id === streaming.answerId) : -1;
    if (position < 0) return false;
    this.entries[position] = change(this.entries[position]!);
    this.touch(this.entries[position].id);
    return true;
  }

  private streamingFor(requestId: string): StreamingAnswer | undefined {
    return this.streaming.find((answer) => answer.requestId === requestId);
  }

  private touch(id: string): void {
    this.revisions.set(id, this.nextRevision++);
  }
}
