export interface LogLine {
  level: string;
  message: string;
}

/** Keeps the last lines llama.cpp logged, so an error can say what llama.cpp itself said. */
export class LogTail {
  private readonly lines: LogLine[] = [];
  private written = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly capacity = 64) {}

  record(level: string, message: string): void {
    const text = message.trim();
    if (text === "") return;
    this.written++;
    this.lines.push({ level, message: text });
    if (this.lines.length > this.capacity) this.lines.shift();
    for (const wake of this.waiters) wake();
  }

  /**
   * Resolves once a problem line was recorded after `mark`, or after `timeoutMs`. llama.cpp's log
   * lines reach JavaScript through a queue, so they can arrive just after the failure they explain.
   */
  async waitForProblemSince(mark: number, timeoutMs: number): Promise<void> {
    if (this.problemsSince(mark).length > 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (this.problemsSince(mark).length > 0) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** A position to pass to `problemsSince`. */
  mark(): number {
    return this.written;
  }

  /** Error and warning lines recorded after `mark`, oldest first, at most `max`. */
  problemsSince(mark: number, max = 4): string[] {
    const fresh = this.lines.slice(Math.max(0, this.lines.length - (this.written - mark)));
    return fresh
      .filter((line) => line.level === "error" || line.level === "fatal" || line.level === "warn")
      .slice(-max)
      .map((line) => line.message);
  }

  last(): LogLine | undefined {
    return this.lines.at(-1);
  }
}
