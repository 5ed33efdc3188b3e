import type { CoopErrorCode } from "./errorCodes.js";

/**
 * The base of Coop's typed errors: `code` is stable (see errorCodes.ts) and survives the engine host's RPC,
 * where the name and the class do not. Each subclass keeps its own `name` for logs and stack traces; callers
 * decide on `code` (errorCodeOf, hasCode, isCancellation).
 */
export class CoopError extends Error {
  constructor(
    readonly code: CoopErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CoopError";
  }
}
