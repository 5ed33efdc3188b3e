import type { LlamaContextSequence } from "node-llama-cpp";

/** The sequence's calls that evaluate or change its state, each awaited by whoever calls them. */
const asyncCalls = new Set<PropertyKey>([
  "adaptStateToTokens",
  "evaluateWithoutGeneratingNewTokens",
  "eraseContextTokenRanges",
  "clearHistory",
]);
/** The calls that return a token generator, whose every step evaluates. */
const generatorCalls = new Set<PropertyKey>(["evaluate", "evaluateWithMetadata"]);

/**
 * A context sequence that counts the evaluations under way on it. node-llama-cpp's draft predictor
 * evaluates its sequence in fire-and-forget promises: disposing the sequence while one runs rejects
 * with "Object is disposed" where nothing can catch it. With this, the owner stops the predictor, waits
 * until the sequence is idle, and only then disposes it.
 */
export class SequenceActivity {
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  readonly sequence: LlamaContextSequence;

  constructor(sequence: LlamaContextSequence) {
    this.sequence = new Proxy(sequence, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        const method = value as (...args: unknown[]) => unknown;
        if (asyncCalls.has(property))
          return (...args: unknown[]) => this.track(method.apply(target, args) as Promise<unknown>);
        if (generatorCalls.has(property))
          return (...args: unknown[]) => this.trackSteps(method.apply(target, args) as AsyncGenerator);
        return method.bind(target);
      },
    });
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /**
   * Resolves once nothing has run on the sequence for a whole turn of the event loop: a predictor's
   * queued lock callbacks start within that turn, so a call they make is seen before this resolves.
   */
  async settled(): Promise<void> {
    do {
      if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.running > 0);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running++;
    return promise.finally(() => {
      this.running--;
      if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  private trackSteps<T>(generator: AsyncGenerator<T>): AsyncGenerator<T> {
    const steps: AsyncGenerator<T> = {
      next: (...args) => this.track(generator.next(...args)),
      return: (value) => this.track(generator.return(value)),
      throw: (error) => this.track(generator.throw(error)),
      [Symbol.asyncIterator]: () => steps,
    };
    return steps;
  }
}
