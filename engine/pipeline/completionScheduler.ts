import {
  CompletionAbortedError,
  RequestShedError,
  SupersededRequestError,
  cancellationOf,
} from "../completion/index.js";

export interface CompletionSchedulerOptions {
  /** Completions running at once (they share the completion engine's sequence). */
  maxRunning?: number;
  /** Completions waiting at most; one more and the oldest waiting gives way (RequestShedError). */
  maxWaiting?: number;
  /** A completion that waited longer than this to start is stale (the user typed on): it is dropped. */
  maxWaitMs?: number;
}

interface Job {
  controller: AbortController;
  queuedAt: number;
  started: boolean;
  start: () => void;
}

/**
 * The completions of one workspace (one engine host serves one), in order: a few run, the rest wait in a
 * bounded queue. A newer request for a document supersedes the older one, which is dropped before it
 * starts or stopped where it is (SupersededRequestError); when the queue is full the oldest waiting
 * request, the stalest, gives way (RequestShedError). Chat answers do not queue here: they have their
 * own sequence.
 */
export class CompletionScheduler {
  private readonly waiting: Job[] = [];
  private readonly latest = new Map<string, Job>();
  private running = 0;
  private readonly maxRunning: number;
  private readonly maxWaiting: number;
  private readonly maxWaitMs: number;

  constructor(options: CompletionSchedulerOptions = {}) {
    this.maxRunning = options.maxRunning ?? 1;
    this.maxWaiting = options.maxWaiting ?? 4;
    this.maxWaitMs = options.maxWaitMs ?? 5000;
  }

  /** Completions waiting to start. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `work` for `document` in its turn; the signal it receives aborts when it is superseded. */
  run<T>(
    document: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new CompletionAbortedError());
    this.latest.get(document)?.controller.abort(new SupersededRequestError());
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const forward = (): void => controller.abort(signal?.reason);
      signal?.addEventListener("abort", forward, { once: true });
      const job: Job = { controller, queuedAt: performance.now(), started: false, start: () => undefined };
      const settle = (): void => {
        signal?.removeEventListener("abort", forward);
        if (this.latest.get(document) === job) this.latest.delete(document);
      };
      controller.signal.addEventListener(
        "abort",
        () => {
          // A running job sees the signal and ends by itself; a waiting one is dropped now.
          if (job.started) return;
          const index = this.waiting.indexOf(job);
          if (index !== -1) this.waiting.splice(index, 1);
          settle();
          reject(cancellationOf(controller.signal));
        },
        { once: true },
      );
      job.start = () => {
        job.started = true;
        this.running++;
        Promise.resolve()
          .then(() => work(controller.signal))
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            settle();
            this.startNext();
          });
      };
      this.latest.set(document, job);
      if (this.waiting.length >= this.maxWaiting)
        this.waiting[0]?.controller.abort(
          new RequestShedError(`${this.maxWaiting} requests were already waiting, and it was the oldest`),
        );
      this.waiting.push(job);
      this.startNext();
    });
  }

  private startNext(): void {
    while (this.running < this.maxRunning && this.waiting.length > 0) {
      const job = this.waiting[0]!;
      if (performance.now() - job.queuedAt > this.maxWaitMs) {
        // Its abort listener takes it out of the queue and rejects it.
        job.controller.abort(new RequestShedError(`it waited more than ${this.maxWaitMs} ms to start`));
        continue;
      }
      this.waiting.shift()!.start();
    }
  }
}
