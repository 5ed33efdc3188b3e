/** Where request ids come from: Web Crypto (randomUUID needs a secure context, getRandomValues does not). */
export interface RandomSource {
  randomUUID?(): string;
  getRandomValues(array: Uint8Array): Uint8Array;
}

/** A fresh id for one question, within the protocol's id rule (letters, digits, _ and -, at most 64). */
export function newRequestId(random: RandomSource = globalThis.crypto): string {
  if (typeof random.randomUUID === "function") return random.randomUUID();
  const bytes = random.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
