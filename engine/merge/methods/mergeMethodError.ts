/** A merge method was called with arguments it cannot use; `parameter` names the culprit. */
export class MergeMethodError extends Error {
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(`${parameter}: ${reason}`);
    this.name = "MergeMethodError";
  }
}
