import { CoopError, coopErrorCodes } from "../errors/index.js";

/**
 * A merge the user asked for cannot be done as described (mismatched inputs, bad recipe, unsupported type).
 */
export class MergeError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.mergeRefused, message);
    this.name = "MergeError";
  }
}

/** The merge was cancelled through its AbortSignal; no output was left behind. */
export class MergeCancelledError extends CoopError {
  constructor() {
    super(coopErrorCodes.cancelled, "the merge was cancelled");
    this.name = "MergeCancelledError";
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MergeCancelledError();
}
