import { normalizeEndpoint } from "../backends/endpoint.js";

/** The API key of one inference server, as the editor hands it to the engine (from its secret storage). */
export interface RemoteApiKey {
  /** The server's base URL (normalized on arrival). */
  endpoint: string;
  apiKey: string;
}

/** Keys shorter than this are not secrets worth hiding, and hiding them would garble every log line. */
const minRedactedLength = 4;
const redactedMark = "[api key]";

/**
 * The API keys of remote servers, held in memory only: never written anywhere, and cut out of every
 * log line and error message the engine sends.
 */
export class RemoteApiKeyStore {
  private keys = new Map<string, string>();

  /** Replaces every key held with these (an endpoint left out has no key any more). */
  replace(keys: readonly RemoteApiKey[]): void {
    this.keys = new Map(keys.map((key) => [normalizeEndpoint(key.endpoint)!, key.apiKey]));
  }

  get(endpoint: string): string | undefined {
    const normalized = normalizeEndpoint(endpoint);
    return normalized === undefined ? undefined : this.keys.get(normalized);
  }

  get size(): number {
    return this.keys.size;
  }

  /** `text` with every key held replaced by a mark. */
  redact(text: string): string {
    let redacted = text;
    for (const key of this.keys.values()) {
      if (key.length >= minRedactedLength) redacted = redacted.replaceAll(key, redactedMark);
    }
    return redacted;
  }
}

/** Checks the parameters of the engine host's setRemoteApiKeys request (they come from another process). */
export function parseRemoteApiKeys(params: unknown): RemoteApiKey[] {
  const keys = (params as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError("setRemoteApiKeys expects { keys: [{ endpoint, apiKey }] }");
  return keys.map((entry: unknown, index) => {
    const { endpoint, apiKey } = (entry ?? {}) as { endpoint?: unknown; apiKey?: unknown };
    if (typeof endpoint !== "string" || normalizeEndpoint(endpoint) === undefined) {
      throw new TypeError(
        `API key ${index + 1}: the endpoint must be an http:// or https:// URL without credentials, query or fragment`,
      );
    }
    // The key itself never goes into a message.
    if (typeof apiKey !== "string" || apiKey === "")
      throw new TypeError(
        `API key ${index + 1} (for ${normalizeEndpoint(endpoint)}): the key must be a non-empty string`,
      );
    return { endpoint: normalizeEndpoint(endpoint)!, apiKey };
  });
}
