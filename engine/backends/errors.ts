import { CoopError, coopErrorCodes } from "../errors/index.js";

/** Why a remote inference server could not answer; every message names the server and what to do. */
export type RemoteFailure =
  | "unreachable"
  | "timeout"
  | "unauthorized"
  | "unknown-model"
  | "unknown-adapter"
  | "http"
  | "bad-response"
  | "interrupted";

export class RemoteEngineError extends CoopError {
  constructor(
    readonly failure: RemoteFailure,
    /** The server's base URL (never with credentials). */
    readonly endpoint: string,
    message: string,
    /** The HTTP status, when the server answered with one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(coopErrorCodes.remoteServer, message, options);
    this.name = "RemoteEngineError";
  }
}

/**
 * The caller aborted the request. Its name is AbortError, as is the local engine's cancellation: decide
 * on the code (isCancellation), which both share.
 */
export class RemoteAbortedError extends CoopError {
  constructor() {
    super(coopErrorCodes.cancelled, "The remote request was cancelled");
    this.name = "AbortError";
  }
}

/** The URL as shown in messages: without user:password, query or fragment. */
export function displayEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return "(an invalid URL)";
  }
}

/**
 * The error message a server put in its JSON body ({error: {message}}, {error: "…"} or {message}), if any.
 */
export function serverErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    if (
      parsed.error &&
      typeof parsed.error === "object" &&
      typeof (parsed.error as { message?: unknown }).message === "string"
    ) {
      return (parsed.error as { message: string }).message;
    }
    if (typeof parsed.message === "string") return parsed.message;
    if (typeof parsed.detail === "string") return parsed.detail;
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim();
  return text === "" ? undefined : text.slice(0, 300);
}
