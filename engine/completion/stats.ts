export interface CompletionStats {
  promptTokens: number;
  /** Prompt tokens whose evaluation was kept from the previous request in the same sequence. */
  reusedPromptTokens: number;
  generatedTokens: number;
  /** Tokens predicted by the draft or input lookup and checked by the target. */
  drafted: number;
  validated: number;
  refuted: number;
  acceptanceRate?: number;
  tokensPerSecond?: number;
  timeToFirstTokenMs: number;
  totalMs: number;
}

/** Totals over the recent requests, for the status bar and the log. */
export class RollingStats {
  private readonly window: CompletionStats[] = [];

  constructor(private readonly size = 50) {}

  record(stats: CompletionStats): void {
    this.window.push(stats);
    if (this.window.length > this.size) this.window.shift();
  }

  get requests(): number {
    return this.window.length;
  }

  get acceptanceRate(): number | undefined {
    const validated = this.sum((stats) => stats.validated);
    const drafted = this.sum((stats) => stats.drafted);
    return drafted > 0 ? validated / drafted : undefined;
  }

  get tokensPerSecond(): number | undefined {
    const rates = this.window.flatMap((stats) =>
      stats.tokensPerSecond === undefined ? [] : [stats.tokensPerSecond],
    );
    return rates.length > 0 ? rates.reduce((a, b) => a + b, 0) / rates.length : undefined;
  }

  private sum(pick: (stats: CompletionStats) => number): number {
    return this.window.reduce((total, stats) => total + pick(stats), 0);
  }
}
