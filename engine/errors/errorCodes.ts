/**
 * The stable codes of the engine's typed errors, the same in process and across the engine host's RPC,
 * so the extension decides on codes, never on error names or messages. This module imports nothing, so
 * the extension can use it without loading the engine.
 */
export const engineErrorCodes = {
  /** The caller cancelled the request. */
  cancelled: "cancelled",
  /** The variant the request ran on was swapped or unloaded; it was stopped before its memory was freed. */
  cancelledBySwap: "cancelled-by-swap",
  /** A newer completion for the same document replaced this one (dropped before it started, or stopped). */
  superseded: "superseded",
  /** The workspace's queue was full: the oldest waiting completion gave way to a new one. */
  shed: "shed",
  /** The engine process did not answer within coop.engine.responseTimeoutMs; it was killed and restarted. */
  timeout: "engine-timeout",
  /** The engine process died while the request ran. */
  crashed: "engine-crashed",
  /** The engine kept crashing with one variant and is not restarted again. */
  gaveUp: "engine-gave-up",
} as const;

export type EngineErrorCode = (typeof engineErrorCodes)[keyof typeof engineErrorCodes];

const cancellationCodes: ReadonlySet<string> = new Set([
  engineErrorCodes.cancelled,
  engineErrorCodes.cancelledBySwap,
  engineErrorCodes.superseded,
  engineErrorCodes.shed,
]);

/** The error's stable code, when it carries one. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/**
 * A request that ended because it was not wanted any more (by the user, a newer request, a swap): no failure.
 */
export function isCancellation(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code !== undefined && cancellationCodes.has(code);
}
