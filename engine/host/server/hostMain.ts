import { CooperativeEngine } from "../../pipeline/index.js";
import { LastResort } from "./lastResort.js";
import {
  parseHostRequest,
  serializeError,
  type HostMessage,
  type HostRequest,
} from "../contract/protocol.js";
import { parseRemoteApiKeys } from "../contract/remoteApiKeys.js";
import { RemoteApiKeyStore } from "./remoteApiKeyStore.js";

/**
 * The engine host: a child process of the extension host that runs node-llama-cpp, so that a
 * native abort (a GGML_ASSERT, a GPU out-of-memory) ends this process, never the editor. A variant
 * on an inference server is served from here too (its cooperators run here).
 */
function send(message: HostMessage): void {
  process.send?.(message);
}

/** Log lines and errors leave this process without any API key the engine holds. */
function sendRedacted(message: HostMessage): void {
  if (message.kind === "log") send({ ...message, message: apiKeys.redact(message.message) });
  else if (message.kind === "variant" && message.status.error !== undefined)
    send({ ...message, status: { ...message.status, error: apiKeys.redact(message.status.error) } });
  else if (message.kind === "error")
    send({ ...message, error: { ...message.error, message: apiKeys.redact(message.error.message) } });
  else send(message);
}

/** The servers' API keys, in memory only; cut out of everything that leaves this process. */
const apiKeys = new RemoteApiKeyStore();
const engine: CooperativeEngine = new CooperativeEngine({
  onLog: (level, message) => sendRedacted({ kind: "log", level, message }),
  apiKeyFor: (endpoint) => apiKeys.get(endpoint),
  onVariantStatus: (status) => sendRedacted({ kind: "variant", status }),
});
interface Served {
  method: string;
  controller: AbortController;
  ended: Promise<void>;
}
const inFlight = new Map<number, Served>();
/** Requests the client cancelled that have not ended yet: stats() reports after they have. */
const cancelling = new Set<Promise<void>>();
const cancelSettleMs = 2000;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

new LastResort({
  log: (message) => sendRedacted({ kind: "log", level: "error", message }),
  requestsInFlight: () => [...inFlight].map(([id, served]) => `${served.method} #${id}`),
  // Late enough for the log line to leave through the IPC channel.
  exit: (code) => setTimeout(() => process.exit(code), 100),
}).install(process);

function serve(request: Extract<HostRequest, { kind: "request" }>): void {
  const controller = new AbortController();
  const ended = answer(request, controller.signal).finally(() => inFlight.delete(request.id));
  inFlight.set(request.id, { method: request.method, controller, ended });
}

function cancel(id: number): void {
  const served = inFlight.get(id);
  if (!served) return;
  served.controller.abort();
  cancelling.add(served.ended);
  void served.ended.finally(() => cancelling.delete(served.ended));
}

async function answer(
  request: Extract<HostRequest, { kind: "request" }>,
  signal: AbortSignal,
): Promise<void> {
  // Served from the next turn, so the request is in inFlight before anything it runs can fail.
  await Promise.resolve();
  try {
    const result = await dispatch(request, signal);
    send({ kind: "result", id: request.id, result });
  } catch (error) {
    sendRedacted({ kind: "error", id: request.id, error: serializeError(error) });
  }
}

function dispatch(request: Extract<HostRequest, { kind: "request" }>, signal: AbortSignal): Promise<unknown> {
  switch (request.method) {
    case "loadVariant":
      return engine.loadVariant(request.params, signal, (progress) =>
        send({ kind: "progress", id: request.id, progress }),
      );
    case "loadCatalogVariant":
      return engine.loadCatalogVariant(request.params, signal, (progress) =>
        send({ kind: "progress", id: request.id, progress }),
      );
    case "complete":
      return engine.complete(request.params, signal, (chunk) =>
        send({ kind: "chunk", id: request.id, chunk }),
      );
    case "chat":
      return engine.chat(request.params, signal, (event) => send({ kind: "event", id: request.id, event }));
    case "openWorkspace":
      return engine.openWorkspace(request.params);
    case "workspaceChanged":
      return engine.workspaceChanged(request.params);
    case "downloadVariant":
      return engine.downloadVariant(request.params, signal, (progress) =>
        send({ kind: "progress", id: request.id, progress }),
      );
    case "stats":
      // Bounded: a request that does not end when cancelled must not hold up stats().
      return Promise.race([Promise.allSettled([...cancelling]), delay(cancelSettleMs)]).then(() =>
        engine.stats(),
      );
    case "memory":
      return engine.memory();
    case "setRemoteApiKeys":
      return Promise.resolve().then(() => {
        apiKeys.replace(parseRemoteApiKeys(request.params));
        return { endpoints: apiKeys.size };
      });
  }
}

async function shutdown(): Promise<void> {
  for (const served of inFlight.values()) served.controller.abort();
  await engine.dispose();
  process.exit(0);
}

process.on("message", (raw: unknown) => {
  const request = parseHostRequest(raw);
  if (!request) {
    sendRedacted({
      kind: "log",
      level: "warn",
      message: `engine host: rejected a malformed message: ${preview(raw)}`,
    });
    return;
  }
  if (request.kind === "shutdown") void shutdown();
  else if (request.kind === "ping") send({ kind: "pong", seq: request.seq });
  else if (request.kind === "cancel") cancel(request.id);
  else serve(request);
});

// Without its parent, the engine has no reason to live.
process.on("disconnect", () => void shutdown());

send({ kind: "ready", pid: process.pid });

function preview(value: unknown): string {
  // A key that did not arrive well-formed is not held yet, so redaction could not catch it.
  if (
    typeof value === "object" &&
    value !== null &&
    (value as { method?: unknown }).method === "setRemoteApiKeys"
  )
    return "a setRemoteApiKeys request (parameters not shown)";
  try {
    // undefined for undefined, a function or a symbol, whatever its type says.
    const json = JSON.stringify(value) as string | undefined;
    return (json ?? String(value)).slice(0, 200);
  } catch {
    return String(value).slice(0, 200);
  }
}
