import type { LlamaContextSequence } from "node-llama-cpp";

export interface PooledSlot {
  sequence: LlamaContextSequence;
  /** The document this slot last served: its KV cache holds that document's prompt. */
  lastDocument?: string;
  /** The draft predictor speculating for the sequence, stopped for good by drain(). */
  predictor?: { drain(): Promise<void> };
}

/**
 * Hands out context sequences one request at a time and takes them back, preferring the slot that
 * last served the same document (its evaluated prompt prefix is reused). Waiters give up when their
 * signal aborts, so a cancelled request never holds or leaks a slot.
 */
export class SequencePool {
  private readonly free: PooledSlot[];
  private readonly waiters: {
    document: string;
    resolve: (slot: PooledSlot) => void;
    reject: (reason: unknown) => void;
  }[] = [];
  private inUse = 0;
  private closedWith: { reason: unknown } | undefined;
  private idleWaiters: (() => void)[] = [];

  private readonly all: readonly PooledSlot[];

  constructor(slots: PooledSlot[]) {
    this.free = [...slots];
    this.all = [...slots];
  }

  get busy(): number {
    return this.inUse;
  }

  /** The slots, lent out or not (to stop their predictors once the pool is idle). */
  get slots(): readonly PooledSlot[] {
    return this.all;
  }

  acquire(document: string, signal?: AbortSignal): Promise<PooledSlot> {
    signal?.throwIfAborted();
    if (this.closedWith) return Promise.reject(this.closedWith.reason);
    const slot = this.takeFree(document);
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = {
        document,
        resolve: (slot: PooledSlot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
        },
        reject: (reason: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          reject(reason);
        },
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Lends no slot any more: waiters and later requests are rejected with `reason`. */
  close(reason: unknown): void {
    this.closedWith ??= { reason };
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }

  /** Resolves once no slot is lent out. */
  idle(): Promise<void> {
    if (this.inUse === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  release(slot: PooledSlot, document: string): void {
    slot.lastDocument = document;
    this.inUse--;
    if (this.inUse === 0 && this.waiters.length === 0)
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    const waiter = this.waiters.shift();
    if (waiter) {
      this.inUse++;
      waiter.resolve(slot);
    } else {
      this.free.push(slot);
    }
  }

  private takeFree(document: string): PooledSlot | undefined {
    if (this.free.length === 0) return undefined;
    const index = Math.max(
      0,
      this.free.findIndex((slot) => slot.lastDocument === document),
    );
    this.inUse++;
    return this.free.splice(index, 1)[0];
  }
}
