// GPT-2's byte-level alphabet: every byte is shown as one printable code point, so token texts never
// contain spaces or control characters. Printable Latin-1 bytes stand for themselves; the other 68
// bytes take code points 256, 257, ... in byte order. llama.cpp uses the same table (unicode.cpp).

function isSelfPrintable(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

const BYTE_TO_CHAR: readonly string[] = (() => {
  const chars: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    chars.push(String.fromCharCode(isSelfPrintable(byte) ? byte : next++));
  }
  return chars;
})();

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));

/** The one-character token text of a byte (0..255). */
export function byteToTokenChar(byte: number): string {
  const char = BYTE_TO_CHAR[byte];
  if (char === undefined) throw new RangeError(`not a byte: ${byte}`);
  return char;
}

/** The byte a token character stands for, or undefined if it is not part of the byte alphabet. */
export function tokenCharToByte(char: string): number | undefined {
  return CHAR_TO_BYTE.get(char);
}

export function bytesToTokenText(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += BYTE_TO_CHAR[byte];
  return text;
}

/** Inverse of bytesToTokenText; throws on characters outside the byte alphabet. */
export function tokenTextToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = CHAR_TO_BYTE.get(text[i]!);
    if (byte === undefined) throw new RangeError(`not a byte-level token text: ${JSON.stringify(text)}`);
    bytes[i] = byte;
  }
  return bytes;
}
