import { describeError } from "../../errors/index.js";
export interface LastResortOptions {
  /** Logs one line, as an error. */
  log: (message: string) => void;
  /** The requests under way when it happened, described (method, id). */
  requestsInFlight: () => string[];
  /** Ends the process (the client restarts it). */
  exit: (code: number) => void;
  /** More unexpected errors than this within windowMs: the state is not sound any more. */
  maxErrors?: number;
  windowMs?: number;
}

/**
 * The engine process's last line of defence against an error nothing handled (a rejection in a library's
 * fire-and-forget promise, say): it is logged with the requests that were under way, and the process
 * keeps serving them. An error that keeps coming back means the state is not sound: then the process
 * exits, and the client restarts it with the variant it had.
 */
export class LastResort {
  private recent: number[] = [];

  constructor(private readonly options: LastResortOptions) {}

  install(target: NodeJS.Process): void {
    target.on("unhandledRejection", (reason) => this.handle("unhandled rejection", reason));
    target.on("uncaughtException", (error) => this.handle("uncaught exception", error));
  }

  handle(kind: string, error: unknown): void {
    const now = Date.now();
    const windowMs = this.options.windowMs ?? 60_000;
    this.recent = [...this.recent.filter((time) => now - time < windowMs), now];
    const requests = this.options.requestsInFlight();
    const detail = `${error instanceof Error ? `${error.name}: ` : ""}${describeError(error)}`;
    this.options.log(
      `engine host: ${kind} (${detail}) while serving ${requests.length > 0 ? requests.join(", ") : "no request"}` +
        (error instanceof Error && error.stack ? `\n${error.stack}` : ""),
    );
    if (this.recent.length > (this.options.maxErrors ?? 5)) {
      this.options.log(
        `engine host: ${this.recent.length} unexpected errors within ${windowMs} ms; restarting`,
      );
      this.options.exit(1);
    }
  }
}
