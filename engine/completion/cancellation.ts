import { CoopError, coopErrorCodes } from "../errors/index.js";

/**
 * The caller cancelled the request. Its name is AbortError, as is the remote engine's cancellation: decide on
 * the code (isCancellation), which both share.
 */
export class CompletionAbortedError extends CoopError {
  constructor() {
    super(coopErrorCodes.cancelled, "The completion request was cancelled");
    this.name = "AbortError";
  }
}

/** The request ran on a variant that was swapped or unloaded: it was stopped before the variant was freed. */
export class CancelledBySwapError extends CoopError {
  constructor() {
    super(
      coopErrorCodes.cancelledBySwap,
      "The request was cancelled: the model variant it ran on was swapped or unloaded",
    );
    this.name = "CancelledBySwapError";
  }
}

/** A newer completion request for the same document replaced this one. */
export class SupersededRequestError extends CoopError {
  constructor() {
    super(
      coopErrorCodes.superseded,
      "The completion request was replaced by a newer one for the same document",
    );
    this.name = "SupersededRequestError";
  }
}

/**
 * Back-pressure: a waiting completion gave way (the queue was full and it was the oldest, or it went stale).
 */
export class RequestShedError extends CoopError {
  constructor(why: string) {
    super(coopErrorCodes.shed, `The completion request was dropped before it started: ${why}`);
    this.name = "RequestShedError";
  }
}

/**
 * The error a request aborted through `signal` ends with: the typed reason it was aborted with (a swap,
 * a newer request), else a plain cancellation.
 */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancellationOf(signal);
}

export function cancellationOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof CancelledBySwapError ||
    reason instanceof SupersededRequestError ||
    reason instanceof RequestShedError
    ? reason
    : new CompletionAbortedError();
}
