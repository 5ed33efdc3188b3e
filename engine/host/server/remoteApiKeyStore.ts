import { normalizeEndpoint } from "../contract/endpoint.js";
import type { RemoteApiKey } from "../contract/remoteApiKeys.js";

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
