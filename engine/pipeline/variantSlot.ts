import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import type { VariantPhase, VariantState, VariantStatus } from "../host/contract/index.js";

export type { VariantPhase, VariantStatus };
import type { WarmingDraft } from "./completionPaths.js";
import type { LoadedVariant } from "./loadedVariant.js";
import { VariantLifecycle, untilSettled } from "./variantLifecycle.js";

/** No variant can answer: none was loaded, or the last load failed. */
export class NoVariantLoadedError extends CoopError {
  constructor(status: VariantStatus) {
    super(
      coopErrorCodes.noVariantLoaded,
      status.phase === "failed" && status.id !== undefined
        ? `No model variant is loaded: ${status.id} failed to load (${status.error ?? "unknown error"})`
        : "No model variant is loaded",
    );
    this.name = "NoVariantLoadedError";
  }
}

/** The steps of one variant load: find its files or server (optional), then load it. */
export interface VariantLoad<T> {
  id: string;
  /** Files downloaded, built or merged, or the catalog read: phase "downloading". */
  resolve: (signal?: AbortSignal) => Promise<T>;
  /** Models loaded or the server reached: phase "loading". `warm` offers the draft while the target loads. */
  load: (resolved: T, warm: (draft: WarmingDraft) => void) => Promise<LoadedVariant>;
  /** Runs after the old variant is freed and before the new one resolves (e.g. closing its server). */
  afterUnload?: () => Promise<void>;
}

/**
 * The workspace's variant and its state machine, owned in this one place: loads run one after another;
 * each first stops the requests on the old variant and frees it, so no answer of the old variant is
 * served under the new one's name; requests wait for the latest load, or get its draft while its target
 * loads. Every change of phase is reported to the listener.
 */
export class VariantSlot {
  private current: LoadedVariant | undefined;
  private warmingDraft: WarmingDraft | undefined;
  private status: VariantStatus = { phase: "absent" };
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly lifecycle = new VariantLifecycle();

  constructor(private readonly onStatus?: (status: VariantStatus) => void) {}

  get variantStatus(): VariantStatus {
    return this.status;
  }

  /** The variant answering now, if any (stats, diagnostics). */
  get loaded(): LoadedVariant | undefined {
    return this.current;
  }

  replace<T>(steps: VariantLoad<T>, signal?: AbortSignal): Promise<VariantState> {
    const run = this.tail.catch(() => undefined).then(() => this.transition(steps, signal));
    this.tail = run;
    this.pending++;
    return run.finally(() => this.pending--);
  }

  /**
   * Runs `use` on the variant once the latest load has settled; with `acceptDraft`, on the draft while
   * the target loads. Rejects with NoVariantLoadedError when none is loaded.
   */
  async run<R>(
    signal: AbortSignal | undefined,
    use: (
      leased: AbortSignal,
      variant: LoadedVariant | undefined,
      warming: WarmingDraft | undefined,
    ) => Promise<R>,
    acceptDraft = false,
  ): Promise<R> {
    const waiting = new AbortController();
    const forward = (): void => waiting.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener("abort", forward, { once: true });
    try {
      while (this.pending > 0 && !(acceptDraft && this.warmingDraft))
        await untilSettled(this.tail, waiting.signal);
    } finally {
      signal?.removeEventListener("abort", forward);
    }
    const variant = this.current;
    const warming = variant ? undefined : this.warmingDraft;
    if (!variant && !(acceptDraft && warming)) throw new NoVariantLoadedError(this.status);
    return this.lifecycle.run(signal, (leased) => use(leased, variant, warming));
  }

  /** The variant once the latest load settled (a routed request whose draft did not serve). */
  async untilLoaded(signal: AbortSignal): Promise<LoadedVariant> {
    while (this.pending > 0) await untilSettled(this.tail, signal);
    if (!this.current) throw new NoVariantLoadedError(this.status);
    return this.current;
  }

  async dispose(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.free(this.status.id);
  }

  private async transition<T>(steps: VariantLoad<T>, signal?: AbortSignal): Promise<VariantState> {
    await this.free(steps.id);
    await steps.afterUnload?.();
    try {
      this.set({ phase: "downloading", id: steps.id });
      const resolved = await steps.resolve(signal);
      this.set({ phase: "loading", id: steps.id });
      const loaded = await steps.load(resolved, (draft) => (this.warmingDraft = draft));
      this.current = loaded;
      this.set({ phase: "ready", id: loaded.id });
      return loaded.state;
    } catch (error) {
      this.set({
        phase: "failed",
        id: steps.id,
        error: describeError(error),
      });
      throw error;
    } finally {
      this.warmingDraft = undefined;
    }
  }

  /** Stops the requests on the variant, waits for them to end, then frees it. */
  private async free(nextId: string | undefined): Promise<void> {
    const old = this.current;
    this.current = undefined;
    if (old) this.set({ phase: "switching", id: nextId ?? old.id });
    await this.lifecycle.drain();
    await old?.dispose();
  }

  private set(status: VariantStatus): void {
    this.status = status;
    this.onStatus?.(status);
  }
}
