import type { CompletionGenerator } from "../completion/index.js";
import type { CompletionTimings } from "../host/contract/index.js";

export type CompletionStage = "queue" | "retrieval" | "prompt" | "generation" | "detector";

interface Frame {
  stage: CompletionStage;
  /** Time spent in stages timed inside this one, left out of its own. */
  innerMs: number;
}

/**
 * Where one completion's time went, by stage, each stage counted without the stages timed inside it
 * (the detector's check times the generation it runs as generation).
 */
export class StageClock {
  private readonly totals = new Map<CompletionStage, number>();
  private readonly open: Frame[] = [];
  private readonly started = performance.now();

  async time<T>(stage: CompletionStage, run: () => Promise<T>): Promise<T> {
    const frame: Frame = { stage, innerMs: 0 };
    const outer = this.open.at(-1);
    this.open.push(frame);
    const start = performance.now();
    try {
      return await run();
    } finally {
      const elapsed = performance.now() - start;
      this.open.splice(this.open.indexOf(frame), 1);
      this.totals.set(stage, (this.totals.get(stage) ?? 0) + Math.max(0, elapsed - frame.innerMs));
      if (outer) outer.innerMs += elapsed;
    }
  }

  /** Adds `ms` measured elsewhere to `stage` (and to the stage timing around it, as inner time). */
  add(stage: CompletionStage, ms: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ms);
    const outer = this.open.at(-1);
    if (outer) outer.innerMs += ms;
  }

  /** Counts the time since the clock started as waiting (the queue, the variant loading). */
  waitedUntilNow(): void {
    if (!this.totals.has("queue")) this.totals.set("queue", performance.now() - this.started);
  }

  /** `generator` with its generations timed as this clock's generation stage. */
  timedGenerator(generator: CompletionGenerator): CompletionGenerator {
    return {
      complete: (request, signal, onChunk) =>
        this.time("generation", () => generator.complete(request, signal, onChunk)),
      answerWithoutGenerating: (request) => generator.answerWithoutGenerating(request),
      remember: (request, text) => generator.remember(request, text),
    };
  }

  /** Milliseconds per stage (absent: the stage did not run), and the total since the clock started. */
  read(): CompletionTimings {
    const ms = (stage: CompletionStage): { [key: string]: number } => {
      const total = this.totals.get(stage);
      return total === undefined ? {} : { [`${stage}Ms`]: round(total) };
    };
    return {
      ...ms("queue"),
      ...ms("retrieval"),
      ...ms("prompt"),
      ...ms("generation"),
      ...ms("detector"),
      totalMs: round(performance.now() - this.started),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
