import { CoopError, coopErrorCodes } from "../errors/index.js";

/**
 * A GGUF file that is truncated or corrupt. `context` names what was being read (a key, a tensor,
 * an array item) and `offset` the byte offset in the file where the problem is.
 */
export class GgufFormatError extends CoopError {
  constructor(
    readonly problem: string,
    readonly offset: number,
    readonly context: string,
  ) {
    super(coopErrorCodes.ggufFormat, `${context}: ${problem} (at byte offset ${offset})`);
    this.name = "GgufFormatError";
  }
}
