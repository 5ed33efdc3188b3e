import { parseEntry, type ChatEntry } from "../protocol/chatProtocol.js";

/** Where the history lives: the workspace's Memento (vscode.ExtensionContext.workspaceState). */
export interface HistoryStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

const storageKey = "coop.chat.history";
/** Oldest entries are dropped beyond this, so workspace state stays small. */
export const maxHistoryEntries = 200;

/**
 * The chat history of one workspace. Stored entries are parsed like protocol messages: a damaged
 * entry is dropped, never shown or sent to the engine.
 */
export class ChatHistory {
  private list: ChatEntry[];

  constructor(private readonly storage: HistoryStorage) {
    const stored = storage.get(storageKey);
    this.list = Array.isArray(stored) ? stored.flatMap((raw) => parseEntry(raw) ?? []) : [];
  }

  get entries(): readonly ChatEntry[] {
    return this.list;
  }

  /** Adds an entry, or replaces the one with the same id (an answer that finished). */
  async put(entry: ChatEntry): Promise<void> {
    const at = this.list.findIndex((candidate) => candidate.id === entry.id);
    if (at >= 0) this.list[at] = entry;
    else this.list.push(entry);
    if (this.list.length > maxHistoryEntries) this.list.splice(0, this.list.length - maxHistoryEntries);
    await this.storage.update(storageKey, this.list);
  }

  async clear(): Promise<void> {
    this.list = [];
    await this.storage.update(storageKey, undefined);
  }

  /**
   * The finished turns to send as the conversation: answers that failed or were stopped empty are left out.
   */
  conversation(): { role: "user" | "assistant"; content: string }[] {
    return this.list
      .filter((entry) => entry.role === "user" || entry.text.trim() !== "")
      .map((entry) => ({ role: entry.role, content: entry.text }));
  }
}
