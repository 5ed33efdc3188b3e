import { CoopError, coopErrorCodes } from "../../errors/index.js";

/** A merge method was called with arguments it cannot use; `parameter` names the culprit. */
export class MergeMethodError extends CoopError {
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(coopErrorCodes.mergeParameter, `${parameter}: ${reason}`);
    this.name = "MergeMethodError";
  }
}
