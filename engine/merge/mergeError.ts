/**
 * A merge the user asked for cannot be done as described (mismatched inputs, bad recipe, unsupported type).
 */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** The merge was cancelled through its AbortSignal; no output was left behind. */
export class MergeCancelledError extends Error {
  constructor() {
    super("the merge was cancelled");
    this.name = "MergeCancelledError";
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MergeCancelledError();
}
