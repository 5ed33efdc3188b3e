import { pendingTriggerLength, textTriggerIndex } from "../chat/stopTriggers.js";

/**
 * Cuts streamed text at the first of some stop strings: passes pieces on as they come, holds back
 * an end that could be the start of a stop string until the next piece settles it, and passes
 * nothing from the stop string on.
 */
export class StopTextFilter {
  private seen = "";
  private emitted = 0;
  private stoppedAt: number | undefined;

  constructor(
    private readonly stops: readonly string[],
    private readonly onText?: (text: string) => void,
  ) {}

  /** Whether a stop string appeared (the text ends before it). */
  get stopped(): boolean {
    return this.stoppedAt !== undefined;
  }

  /** The text up to the stop string, or all of it when none appeared. */
  get text(): string {
    return this.seen.slice(0, this.stoppedAt ?? this.seen.length);
  }

  push(piece: string): void {
    if (this.stoppedAt !== undefined) return;
    this.seen += piece;
    // A stop string may start in text held back before this piece, never in text already passed on.
    const found = textTriggerIndex(this.seen.slice(this.emitted), this.stops);
    if (found !== -1) {
      this.stoppedAt = this.emitted + found;
      this.emitUpTo(this.stoppedAt);
      return;
    }
    this.emitUpTo(this.seen.length - pendingTriggerLength(this.seen, this.stops));
  }

  /** Passes on what was held back (the text ended without completing a stop string). */
  finish(): void {
    if (this.stoppedAt === undefined) this.emitUpTo(this.seen.length);
  }

  private emitUpTo(end: number): void {
    if (end <= this.emitted) return;
    this.onText?.(this.seen.slice(this.emitted, end));
    this.emitted = end;
  }
}
