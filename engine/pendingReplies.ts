/**
 * Requests sent to another thread, waiting for their replies: each gets an id and a promise, which the
 * reply carrying that id settles; a failure of the thread rejects them all.
 */
export class PendingReplies<T> {
  private readonly waiting = new Map<
    number,
    { resolve: (value: T) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;

  /** How many ids have been handed out. */
  get issued(): number {
    return this.nextId;
  }

  /** A new request's id, and the promise its reply settles. */
  add(): { id: number; reply: Promise<T> } {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    return { id, reply };
  }

  /** Settles request `id` with a value or an error; false when no such request is waiting. */
  settle(id: number, outcome: { value: T } | { error: Error }): boolean {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return false;
    this.waiting.delete(id);
    if ("error" in outcome) waiting.reject(outcome.error);
    else waiting.resolve(outcome.value);
    return true;
  }

  /** Rejects every request still waiting. */
  rejectAll(error: Error): void {
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }
}
