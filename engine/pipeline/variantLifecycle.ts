import { CancelledBySwapError } from "../completion/index.js";

interface RunningRequest {
  controller: AbortController;
  ended: Promise<unknown>;
}

/**
 * The requests running on the loaded variant, so that a swap or an unload first stops them and waits
 * for them to end, and only then frees the variant's models. A request stopped this way ends with
 * CancelledBySwapError, whatever error the stopping caused underneath, and no answer of the old
 * variant is served after the swap began.
 */
export class VariantLifecycle {
  private readonly running = new Set<RunningRequest>();

  /** Requests running now. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Runs `use` as a request on the current variant. The signal `use` receives aborts with the
   * caller's, or with CancelledBySwapError when the variant is drained.
   */
  async run<T>(signal: AbortSignal | undefined, use: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener("abort", forward, { once: true });
    const ended = Promise.resolve().then(() => use(controller.signal));
    const request = { controller, ended };
    this.running.add(request);
    try {
      const result = await ended;
      if (controller.signal.reason instanceof CancelledBySwapError) throw controller.signal.reason;
      return result;
    } catch (error) {
      if (controller.signal.reason instanceof CancelledBySwapError) throw controller.signal.reason;
      throw error;
    } finally {
      this.running.delete(request);
      signal?.removeEventListener("abort", forward);
    }
  }

  /** Stops every request under way (CancelledBySwapError) and resolves once each has ended. */
  async drain(): Promise<void> {
    const reason = new CancelledBySwapError();
    const requests = [...this.running];
    for (const request of requests) request.controller.abort(reason);
    await Promise.allSettled(requests.map((request) => request.ended));
  }
}

/**
 * Waits for `promise` to settle, or rejects with `signal`'s reason once it aborts: a request waiting for
 * a load must not hold up the drain that the load itself waits for.
 */
export function untilSettled(promise: Promise<unknown> | undefined, signal: AbortSignal): Promise<void> {
  if (!promise) return Promise.resolve();
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    const settle = (): void => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    promise.then(settle, settle);
  });
}
