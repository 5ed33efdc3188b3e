import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

export interface CachedCompletion {
  /** The prefix the suggestion was made for. */
  prefix: string;
  text: string;
}

/** How much of the prefix's end and the suffix's start identify a request. */
const prefixTail = 2048;
const suffixHead = 512;

/**
 * Recent suggestions, bounded by count and bytes, keyed by variant + the prefix's tail + the
 * suffix's head. Also serves "typing through": when the user types the start of the current
 * suggestion, the rest is answered without generating again.
 */
export class CompletionCache {
  private readonly entries: LRUCache<string, CachedCompletion>;
  private readonly recentByDocument = new LRUCache<
    string,
    CachedCompletion & { suffixKey: string; variant: string }
  >({ max: 64 });

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.entries = new LRUCache({
      max: options.maxEntries ?? 500,
      maxSize: options.maxBytes ?? 4 * 1024 * 1024,
      sizeCalculation: (value, key) =>
        Math.max(1, (value.text.length + Math.min(value.prefix.length, prefixTail) + key.length) * 2),
    });
  }

  get(variant: string, prefix: string, suffix: string): string | undefined {
    return this.entries.get(key(variant, prefix, suffix))?.text;
  }

  set(variant: string, document: string, prefix: string, suffix: string, text: string): void {
    const entry = { prefix: prefix.slice(-prefixTail), text };
    this.entries.set(key(variant, prefix, suffix), entry);
    this.recentByDocument.set(document, { ...entry, suffixKey: hash(suffix.slice(0, suffixHead)), variant });
  }

  /** The rest of the document's last suggestion when `prefix` extends its prefix by a start of it. */
  typedThrough(variant: string, document: string, prefix: string, suffix: string): string | undefined {
    const recent = this.recentByDocument.get(document);
    if (!recent || recent.variant !== variant || recent.suffixKey !== hash(suffix.slice(0, suffixHead)))
      return undefined;
    const tail = prefix.slice(-prefixTail);
    for (let typed = 1; typed < recent.text.length; typed++) {
      const typedText = recent.text.slice(0, typed);
      if (
        tail.endsWith(recent.prefix.slice(-(prefixTail - typed)) + typedText) &&
        prefix.endsWith(typedText)
      ) {
        return recent.text.slice(typed);
      }
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
    this.recentByDocument.clear();
  }
}

function key(variant: string, prefix: string, suffix: string): string {
  return `${variant}\0${hash(prefix.slice(-prefixTail))}\0${hash(suffix.slice(0, suffixHead))}`;
}

function hash(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}
