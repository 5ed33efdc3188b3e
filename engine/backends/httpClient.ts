import { displayEndpoint, RemoteAbortedError, RemoteEngineError, serverErrorMessage } from "./errors.js";
import { readSseEvents, type SseEvent } from "./sse.js";
import { describeError } from "../errors/index.js";

export interface RemoteHttpOptions {
  /** The server's base URL, e.g. http://gpu-box:8080 (paths are appended to it). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never logged nor put in an error message. */
  apiKey?: string;
  /** The kind of server, for messages ("llama-server", "vLLM"). */
  serverName: string;
  /** How long to wait for the response headers of one attempt (default 30 s). */
  requestTimeoutMs?: number;
  /** How long a streamed response may stay silent before it counts as stalled (default 60 s). */
  idleTimeoutMs?: number;
  /** Further attempts after a failure that may be retried (default 3). */
  retries?: number;
  /** The first retry's delay; each next one doubles it (default 250 ms). */
  retryBaseDelayMs?: number;
  fetch?: typeof fetch;
}

/**
 * Which failures a request may be retried after. `idempotent` (reads, listings): any connection
 * failure, timeout, 429 or 5xx gateway answer. `unsent` (generation, which must not run twice): only
 * when the server certainly did not start it: the connection was refused, or it answered 503 (busy
 * loading the model). A generation is never retried once its response began.
 */
export type RetryPolicy = "idempotent" | "unsent";

interface Attempt {
  signal?: AbortSignal;
  retry: RetryPolicy;
}

const defaults = { requestTimeoutMs: 30_000, idleTimeoutMs: 60_000, retries: 3, retryBaseDelayMs: 250 };

/** HTTP to one inference server: auth, timeouts, retries with backoff, and errors that say what to do. */
export class RemoteHttpClient {
  readonly endpoint: string;
  private readonly base: string;
  private readonly settings: typeof defaults;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: RemoteHttpOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new RemoteEngineError(
        "unreachable",
        "(invalid URL)",
        `The ${options.serverName} endpoint "${options.baseUrl}" is not a valid URL (expected e.g. http://host:8080)`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new RemoteEngineError(
        "unreachable",
        displayEndpoint(options.baseUrl),
        `The ${options.serverName} endpoint must be an http:// or https:// URL, not ${url.protocol}`,
      );
    }
    this.base = options.baseUrl.replace(/\/+$/, "");
    this.endpoint = displayEndpoint(options.baseUrl);
    this.settings = {
      requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? defaults.idleTimeoutMs,
      retries: options.retries ?? defaults.retries,
      retryBaseDelayMs: options.retryBaseDelayMs ?? defaults.retryBaseDelayMs,
    };
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Sends a request and parses its JSON answer. */
  async json<T>(method: "GET" | "POST", path: string, body: unknown, attempt: Attempt): Promise<T> {
    const response = await this.send(method, path, body, attempt);
    const text = await this.readBody(response, path, attempt.signal);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RemoteEngineError(
        "bad-response",
        this.endpoint,
        `${this.options.serverName} at ${this.endpoint} answered ${path} with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  /**
   * POSTs a streamed request and calls `onEvent` for each server-sent event until it returns true
   * (the end marker) or the body ends. Never retried once the response began. A stream that stays
   * silent longer than the idle timeout, or breaks off, rejects with a clear error.
   */
  async stream(
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    onEvent: (event: SseEvent) => boolean | void,
  ): Promise<void> {
    const idle = new AbortController();
    const bodySignal = signal ? AbortSignal.any([signal, idle.signal]) : idle.signal;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), this.settings.idleTimeoutMs);
    };
    try {
      const response = await this.send("POST", path, body, { signal, retry: "unsent" }, bodySignal);
      if (!response.body)
        throw new RemoteEngineError(
          "bad-response",
          this.endpoint,
          `${this.options.serverName} at ${this.endpoint} answered ${path} without a body`,
        );
      arm();
      await readSseEvents(response.body, (event) => {
        arm();
        return onEvent(event);
      });
    } catch (error) {
      if (signal?.aborted) throw new RemoteAbortedError();
      if (idle.signal.aborted) {
        throw new RemoteEngineError(
          "timeout",
          this.endpoint,
          `${this.options.serverName} at ${this.endpoint} stopped sending ${path} for ${this.settings.idleTimeoutMs / 1000} s; the generation was abandoned`,
        );
      }
      if (error instanceof RemoteEngineError || error instanceof RemoteAbortedError) throw error;
      throw new RemoteEngineError(
        "interrupted",
        this.endpoint,
        `The connection to ${this.options.serverName} at ${this.endpoint} broke off while streaming ${path} (${describeCause(error)}); the server may have stopped or restarted`,
        undefined,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One request with retries: resolves with a 2xx response (its body unread), else rejects with a
   * RemoteEngineError, or RemoteAbortedError when `attempt.signal` aborted. `bodySignal` (default: the
   * attempt's signal) keeps governing the body after the headers arrived.
   */
  async send(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    attempt: Attempt,
    bodySignal?: AbortSignal,
  ): Promise<Response> {
    for (let tries = 0; ; tries++) {
      const outcome = await this.once(method, path, body, attempt.signal, bodySignal ?? attempt.signal);
      if (outcome.response) return outcome.response;
      const failure = outcome.failure!;
      if (tries >= this.settings.retries || !failure.retriable[attempt.retry]) throw failure.error;
      await sleep(this.settings.retryBaseDelayMs * 2 ** tries, attempt.signal);
    }
  }

  private async once(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    bodySignal: AbortSignal | undefined,
  ): Promise<{ response?: Response; failure?: { error: Error; retriable: Record<RetryPolicy, boolean> } }> {
    if (signal?.aborted) throw new RemoteAbortedError();
    const timeout = new AbortController();
    const fetchSignal = bodySignal ? AbortSignal.any([bodySignal, timeout.signal]) : timeout.signal;
    const timer = setTimeout(() => timeout.abort(), this.settings.requestTimeoutMs);
    const headers: Record<string, string> = { accept: "application/json, text/event-stream" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: fetchSignal,
      });
    } catch (error) {
      clearTimeout(timer);
      if (signal?.aborted) throw new RemoteAbortedError();
      if (timeout.signal.aborted) {
        return this.fail(
          "timeout",
          `${this.options.serverName} at ${this.endpoint} did not answer ${path} within ${this.settings.requestTimeoutMs / 1000} s`,
          { idempotent: true, unsent: false },
        );
      }
      const code = causeCode(error);
      const refused = code === "ECONNREFUSED";
      return this.fail(
        "unreachable",
        `Cannot reach ${this.options.serverName} at ${this.endpoint} (${code ?? describeCause(error)}): is the server running, and is the URL in models.json right?`,
        {
          idempotent: refused || code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET",
          unsent: refused,
        },
        error,
      );
    }
    clearTimeout(timer);
    if (response.ok) {
      // The body is read later under bodySignal alone; the header timeout no longer applies.
      return { response };
    }
    const text = await response.text().catch(() => "");
    const message = serverErrorMessage(text);
    const status = response.status;
    const detail = message ? `: ${message}` : "";
    if (status === 401 || status === 403) {
      const why = this.options.apiKey
        ? "it did not accept the API key Coop sent"
        : "it needs an API key and none is set for this endpoint";
      return this.fail(
        "unauthorized",
        `${this.options.serverName} at ${this.endpoint} refused ${path} (HTTP ${status}${detail}): ${why}. Set it with the command "Coop: Set Remote Server API Key" (kept in VS Code's secret storage) and try again.`,
        { idempotent: false, unsent: false },
        undefined,
        status,
      );
    }
    if (status === 404 && message && /model|adapter|lora/i.test(message)) {
      return this.fail(
        "unknown-model",
        `${this.options.serverName} at ${this.endpoint} does not serve the requested model (HTTP 404${detail}). Check the model or adapter name in models.json against what the server lists.`,
        { idempotent: false, unsent: false },
        undefined,
        status,
      );
    }
    if (status === 404) {
      return this.fail(
        "http",
        `${this.options.serverName} at ${this.endpoint} has no ${path} (HTTP 404${detail}): is this endpoint a ${this.options.serverName}?`,
        { idempotent: false, unsent: false },
        undefined,
        status,
      );
    }
    const transient = status === 429 || status === 502 || status === 503 || status === 504;
    return this.fail(
      "http",
      `${this.options.serverName} at ${this.endpoint} failed ${path} (HTTP ${status}${detail})`,
      { idempotent: transient, unsent: status === 503 },
      undefined,
      status,
    );
  }

  private async readBody(response: Response, path: string, signal?: AbortSignal): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      if (signal?.aborted) throw new RemoteAbortedError();
      throw new RemoteEngineError(
        "interrupted",
        this.endpoint,
        `The connection to ${this.options.serverName} at ${this.endpoint} broke off while reading ${path} (${describeCause(error)})`,
        undefined,
        { cause: error },
      );
    }
  }

  private fail(
    failure: RemoteEngineError["failure"],
    message: string,
    retriable: Record<RetryPolicy, boolean>,
    cause?: unknown,
    status?: number,
  ): { failure: { error: Error; retriable: Record<RetryPolicy, boolean> } } {
    return {
      failure: {
        error: new RemoteEngineError(
          failure,
          this.endpoint,
          message,
          status,
          cause === undefined ? undefined : { cause },
        ),
        retriable,
      },
    };
  }
}

function causeCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeCause(error: unknown): string {
  const code = causeCode(error);
  const cause = typeof error === "object" && error !== null && "cause" in error ? error.cause : undefined;
  const message = cause instanceof Error ? cause.message : describeError(error);
  return code ? `${code}: ${message}` : message;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RemoteAbortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RemoteAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
