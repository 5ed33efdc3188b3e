import { normalizeEndpoint } from "./endpoint.js";

/** The API key of one inference server, as the editor hands it to the engine (from its secret storage). */
export interface RemoteApiKey {
  /** The server's base URL (normalized on arrival). */
  endpoint: string;
  apiKey: string;
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
