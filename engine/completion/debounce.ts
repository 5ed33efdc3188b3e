/**
 * The least pause between the last keystroke in a document and a completion request for it, so a
 * burst of keystrokes sends one request, not one each. It runs from the keystroke, not from when the
 * editor asks: VS Code itself waits 50 ms after a keystroke before it asks the provider, and that wait
 * counts, so in VS Code this pause adds something only when the keystroke reached the extension host
 * late. It does not grow with the typing rhythm: a slow typist (or one who waits for each suggestion)
 * would then always wait the longest. A request that did start is cancelled by the next keystroke
 * instead (the editor cancels the provider's token).
 */
export const defaultDebounceMs = 25;

/**
 * Holds a document's completion request until `pauseMs` after its last change; a newer wait for the
 * same document ends the older one with `false`, so only the last keystroke's request goes out.
 */
export class Debounce {
  private readonly changedAt = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();

  constructor(
    readonly pauseMs: number = defaultDebounceMs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Notes a change of the document (a keystroke): the pause runs from the last one. */
  changed(document: string): void {
    this.changedAt.set(document, this.now());
  }

  /** What is left of the pause for `document` (0 when it has not changed since it was last forgotten). */
  remaining(document: string): number {
    const at = this.changedAt.get(document);
    return at === undefined ? 0 : Math.max(0, this.pauseMs - (this.now() - at));
  }

  /**
   * Resolves true once the pause after the document's last change is over (at once when it is, or
   * with `immediately`: an answer the engine gives without generating), false when superseded by a
   * newer wait or cancelled.
   */
  wait(document: string, signal?: AbortSignal, immediately = false): Promise<boolean> {
    this.waiting.get(document)?.();
    const delay = immediately ? 0 : this.remaining(document);
    if (delay === 0) return Promise.resolve(!signal?.aborted);
    return new Promise((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (this.waiting.get(document) === supersede) this.waiting.delete(document);
        resolve(result);
      };
      const supersede = (): void => finish(false);
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(true), delay);
      this.waiting.set(document, supersede);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) finish(false);
    });
  }

  /** Ends the document's waiting request and forgets its last change (the document was closed). */
  forget(document: string): void {
    this.waiting.get(document)?.();
    this.changedAt.delete(document);
  }
}
