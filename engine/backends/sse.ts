/** One server-sent event: its `event` field (absent means "message") and its data lines joined by "\n". */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * Incremental parser for `text/event-stream` (the WHATWG rules): text arrives in arbitrary pieces,
 * lines end in LF, CRLF or CR (a CR at the end of one piece may be followed by the LF in the next),
 * several `data:` lines form one event, lines starting with ":" are comments, an event ends at a
 * blank line, and an event without data is not dispatched.
 */
export class SseParser {
  private buffer = "";
  /** The last piece ended in CR: an LF opening the next one belongs to that line ending. */
  private pendingCr = false;
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  /** Feeds the next piece of text; returns the events it completed. */
  push(text: string): SseEvent[] {
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A CR at the very end may be the first half of a CRLF split across pieces.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) this.pendingCr = true;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** The stream ended: an event not yet closed by a blank line is dropped, as the standard says. */
  end(): SseEvent[] {
    this.buffer = "";
    this.data = [];
    this.event = undefined;
    return [];
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.event;
    this.event = undefined;
    if (this.data.length === 0) return undefined;
    const data = this.data.join("\n");
    this.data = [];
    return {
      ...(event !== undefined && event !== "" ? { event } : {}),
      data,
      ...(this.id !== undefined ? { id: this.id } : {}),
    };
  }
}

/**
 * Reads a response body as server-sent events, calling `onEvent` for each; resolves when the body ends.
 * `onEvent` returning true stops reading (the caller saw the end marker) and cancels the body.
 */
export async function readSseEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => boolean | void,
): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder("utf-8");
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (const event of parser.push(text)) {
        if (onEvent(event) === true) {
          await reader.cancel().catch(() => undefined);
          return;
        }
      }
      if (done) {
        parser.end();
        return;
      }
    }
  } catch (error) {
    // A handler that threw (or a failed read) leaves nothing worth reading: close the connection.
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
}
