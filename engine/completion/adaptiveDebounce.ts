export interface AdaptiveDebounceOptions {
  minMs: number;
  maxMs: number;
  /** How many recent keystroke intervals to remember per document. */
  window: number;
}

export const defaultAdaptiveDebounceOptions: AdaptiveDebounceOptions = { minMs: 25, maxMs: 300, window: 8 };

/**
 * Waits before asking the model, as long as the user seems to be still typing: the delay follows the
 * median of the recent pauses between keystrokes in the document (a fast typist gets a short delay
 * only when they pause longer than usual), bounded by min and max. A newer wait for the same
 * document ends the older one with `false`, so only the last keystroke reaches the model.
 */
export class AdaptiveDebounce {
  private readonly lastKeystroke = new Map<string, number>();
  private readonly intervals = new Map<string, number[]>();
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly options: AdaptiveDebounceOptions = defaultAdaptiveDebounceOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The delay the next wait in this document would use. */
  delayFor(document: string): number {
    const intervals = this.intervals.get(document);
    if (!intervals || intervals.length === 0) return this.options.minMs;
    const sorted = [...intervals].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return Math.min(this.options.maxMs, Math.max(this.options.minMs, median * 1.5));
  }

  /** Resolves true when the user paused long enough, false when superseded or cancelled. */
  wait(document: string, signal?: AbortSignal): Promise<boolean> {
    this.recordKeystroke(document);
    this.waiting.get(document)?.();
    const delay = this.delayFor(document);
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

  forget(document: string): void {
    this.waiting.get(document)?.();
    this.lastKeystroke.delete(document);
    this.intervals.delete(document);
  }

  private recordKeystroke(document: string): void {
    const now = this.now();
    const last = this.lastKeystroke.get(document);
    this.lastKeystroke.set(document, now);
    // A pause of seconds is not a typing rhythm: it would stretch every later delay to the maximum.
    if (last === undefined || now - last > 2000) return;
    const intervals = this.intervals.get(document) ?? [];
    intervals.push(now - last);
    if (intervals.length > this.options.window) intervals.shift();
    this.intervals.set(document, intervals);
  }
}
