import { CoopError, coopErrorCodes, type CoopErrorCode } from "../../errors/index.js";

/** The engine process died; `reason` says how (signal, exit code, its last words). */
export class EngineCrashedError extends CoopError {
  constructor(readonly reason: string) {
    super(coopErrorCodes.crashed, `The Coop engine process stopped: ${reason}`);
    this.name = "EngineCrashedError";
  }
}

/** The engine kept crashing with the same variant; restarting it again would not help. */
export class EngineGaveUpError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.gaveUp, message);
    this.name = "EngineGaveUpError";
  }
}

/** The engine process answered nothing within the bound; it was killed and is being restarted. */
export class EngineTimeoutError extends CoopError {
  constructor(readonly silentMs: number) {
    super(
      coopErrorCodes.timeout,
      `The Coop engine did not answer for ${(silentMs / 1000).toFixed(1)} s (coop.engine.responseTimeoutMs); it was restarted`,
    );
    this.name = "EngineTimeoutError";
  }
}

/**
 * An error the engine reported for one request, rebuilt on this side with the engine's own name, message
 * and code; an error the engine threw without a code arrives as `internal`.
 */
export class EngineRequestError extends CoopError {
  constructor(name: string, message: string, code?: CoopErrorCode) {
    super(code ?? coopErrorCodes.internal, message);
    this.name = name;
  }
}
