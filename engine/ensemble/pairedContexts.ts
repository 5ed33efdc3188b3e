import type { LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { CompletionAbortedError } from "../completion/index.js";
import type { LlamaRuntime } from "../runtime/index.js";

export interface PairMember {
  model: LlamaModel;
  /** LoRA adapters applied to this member's context (the variant's own, for its target). */
  adapters?: { filePath: string; scale: number }[];
}

export interface SequencePair {
  primary: LlamaContextSequence;
  secondary: LlamaContextSequence;
}

/**
 * A context on each of two models, with one sequence each and no token predictor, lent to one
 * two-model decoding at a time. The contexts are created on first use (a variant that never decodes
 * with both models pays nothing) and a failure to create them is not kept: the next use tries again.
 */
export class PairedContexts {
  private created: Promise<{ contexts: LlamaContext[]; pair: SequencePair }> | undefined;
  /** Resolves when the current borrower returns the pair. */
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly runtime: LlamaRuntime,
    private readonly members: { primary: PairMember; secondary: PairMember },
    private readonly contextSize: number,
  ) {}

  /** Checked again after every wait: dispose() may have run meanwhile. */
  private ensureNotDisposed(): void {
    if (this.disposed) throw new Error("The paired contexts were disposed");
  }

  /**
   * Waits for the pair (rejecting with CompletionAbortedError when `signal` aborts first) and lends
   * it; call release() exactly once when done.
   */
  async acquire(signal?: AbortSignal): Promise<{ pair: SequencePair; release: () => void }> {
    this.ensureNotDisposed();
    let release!: () => void;
    const previous = this.queue;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.queue = previous.then(() => mine);
    try {
      await waitUnlessAborted(previous, signal);
      this.ensureNotDisposed();
      const { pair } = await this.contexts();
      return { pair, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const created = await this.created?.catch(() => undefined);
    // After the borrower, if any, gave the pair back: disposing a context mid-evaluation throws in it.
    await this.queue;
    for (const context of created?.contexts ?? []) await context.dispose();
  }

  private contexts(): Promise<{ contexts: LlamaContext[]; pair: SequencePair }> {
    this.created ??= this.create().catch((error: unknown) => {
      this.created = undefined;
      throw error;
    });
    return this.created;
  }

  private async create(): Promise<{ contexts: LlamaContext[]; pair: SequencePair }> {
    const contexts: LlamaContext[] = [];
    try {
      for (const member of [this.members.primary, this.members.secondary]) {
        contexts.push(
          await this.runtime.createContext(member.model, {
            contextSize: this.contextSize,
            ...(member.adapters?.length ? { lora: { adapters: member.adapters } } : {}),
          }),
        );
      }
    } catch (error) {
      for (const context of contexts) await context.dispose();
      throw error;
    }
    return { contexts, pair: { primary: contexts[0]!.getSequence(), secondary: contexts[1]!.getSequence() } };
  }
}

function waitUnlessAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CompletionAbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new CompletionAbortedError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
