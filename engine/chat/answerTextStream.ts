import type { Token } from "node-llama-cpp";
import { pendingTriggerLength, textTriggerIndex } from "./stopTriggers.js";

/** Detokenizes `tokens`, which follow `lastTokens` (some tokenizers need them to place spaces). */
export type Detokenize = (tokens: readonly Token[], lastTokens: readonly Token[]) => string;

/** Tokens before the unsettled part handed to the detokenizer as context. */
const contextTokens = 8;

/**
 * Turns an answer's growing token list into streamed text, piece by piece: never part of a UTF-8
 * character (a token can end inside one), never the start of a stop text (it may complete with the
 * next token), and nothing from a stop text on. Detokenizes only what is not settled yet, so
 * streaming stays linear in the answer's length.
 */
export class AnswerTextStream {
  private settledTokens = 0;
  private settledText = "";
  private emitted = "";
  private stopped = false;

  constructor(
    private readonly detokenize: Detokenize,
    private readonly stopTexts: readonly string[],
    private readonly onText?: (text: string) => void,
  ) {}

  /** The text streamed so far. */
  get text(): string {
    return this.emitted;
  }

  /** Takes the tokens generated so far; true when a stop text appeared (the answer ends before it). */
  update(tokens: readonly Token[]): boolean {
    if (this.stopped) return true;
    const text = this.currentText(tokens);
    const stopAt = textTriggerIndex(text.slice(this.emitted.length), this.stopTexts);
    if (stopAt !== -1) {
      this.stopped = true;
      this.emitUpTo(text, this.emitted.length + stopAt);
      return true;
    }
    const safe = beforeTrailingReplacement(text, text.length - pendingTriggerLength(text, this.stopTexts));
    if (safe === text.length) {
      this.settledTokens = tokens.length;
      this.settledText = text;
    }
    this.emitUpTo(text, safe);
    return false;
  }

  /**
   * Streams what was held back and returns the whole answer. `complete`: the model ended the answer
   * itself; otherwise it was cut, and a character cut in half at its end is dropped.
   */
  finish(tokens: readonly Token[], complete: boolean): string {
    if (this.stopped) return this.emitted;
    this.stopped = true;
    const text = this.currentText(tokens);
    const stopAt = textTriggerIndex(text.slice(this.emitted.length), this.stopTexts);
    const end =
      stopAt !== -1
        ? this.emitted.length + stopAt
        : complete
          ? text.length
          : beforeTrailingReplacement(text, text.length);
    this.emitUpTo(text, end);
    return this.emitted;
  }

  private currentText(tokens: readonly Token[]): string {
    const start = this.settledTokens;
    return (
      this.settledText +
      this.detokenize(tokens.slice(start), tokens.slice(Math.max(0, start - contextTokens), start))
    );
  }

  private emitUpTo(text: string, end: number): void {
    // Detokenizing more tokens never rewrites text already shown; if a tokenizer did, wait for it to agree
    // again.
    if (end <= this.emitted.length || !text.startsWith(this.emitted)) return;
    const piece = text.slice(this.emitted.length, end);
    this.emitted += piece;
    this.onText?.(piece);
  }
}

/** `end`, moved back before the replacement characters a detokenized partial UTF-8 sequence ends with. */
function beforeTrailingReplacement(text: string, end: number): number {
  while (end > 0 && text[end - 1] === "\uFFFD") end--;
  return end;
}
