import type { LlamaContextSequence } from "node-llama-cpp";

export interface PooledSlot {
  sequence: LlamaContextSequence;
  /** The document this slot last served: its KV cache holds that document's prompt. */
  lastDocument?: string;
}

/**
 * Hands out context sequences one request at a time and takes them back, preferring the slot that
 * last served the same document (its evaluated prompt prefix is reused). Waiters give up when their
 * signal aborts, so a cancelled request never holds or leaks a slot.
 */
export class SequencePool {
  private readonly free: PooledSlot[];
  private readonly waiters: { document: string; resolve: (slot: PooledSlot) => void }[] = [];
  private inUse = 0;

  constructor(slots: PooledSlot[]) {
    this.free = [...slots];
  }

  get busy(): number {
    return this.inUse;
  }

  acquire(document: string, signal?: AbortSignal): Promise<PooledSlot> {
    signal?.throwIfAborted();
    const slot = this.takeFree(document);
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = {
        document,
        resolve: (slot: PooledSlot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
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

  release(slot: PooledSlot, document: string): void {
    slot.lastDocument = document;
    this.inUse--;
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
