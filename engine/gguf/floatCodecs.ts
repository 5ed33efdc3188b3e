import { floatBitsToBfloat16, floatBitsToHalf, halfToFloatTable } from "./halfFloat.js";

// GGUF tensor data is little-endian. Typed arrays use the host order, so the bulk copies below are
// only taken on little-endian hosts; the byte-by-byte paths work on any host.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The table's float bit patterns as signed words: V8 keeps those in 32-bit registers (unsigned ones above
 * 2^31 become doubles).
 */
const halfToFloatWords = new Int32Array(halfToFloatTable.buffer);

function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

export function decodeF32(bytes: Uint8Array, out: Float32Array): void {
  if (hostIsLittleEndian) {
    new Uint8Array(out.buffer, out.byteOffset, out.length * 4).set(bytes.subarray(0, out.length * 4));
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
}

export function encodeF32(values: Float32Array, bytes: Uint8Array): void {
  if (hostIsLittleEndian) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.length * 4));
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
}

// Decoding copies bit patterns (not float values), so NaN payloads survive exactly. Where the bytes
// are 4-aligned, two halves are read as one 32-bit word (and two encoded halves written as one): half
// the memory operations, which is most of the cost of these loops.
export function decodeF16(bytes: Uint8Array, out: Float32Array): void {
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const n = outBits.length;
  if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) {
    const pairs = new Int32Array(bytes.buffer, bytes.byteOffset, n >>> 1);
    for (let i = 0, o = 0; i < pairs.length; i++, o += 2) {
      const pair = pairs[i]!;
      outBits[o] = halfToFloatWords[pair & 0xffff]!;
      outBits[o + 1] = halfToFloatWords[pair >>> 16]!;
    }
    if (n % 2 === 1) outBits[n - 1] = halfToFloatWords[bytes[2 * n - 2]! | (bytes[2 * n - 1]! << 8)]!;
    return;
  }
  for (let i = 0, o = 0; i < n; i++, o += 2) {
    outBits[i] = halfToFloatWords[bytes[o]! | (bytes[o + 1]! << 8)]!;
  }
}

/** Smallest float32 bit pattern that is a normal half (2^-14), and the first that overflows it (2^16). */
const halfNormalMin = 0x38800000;
const halfOverflow = 0x47800000;

/**
 * float32 bits to half bits: the common case inline, the rest (subnormal, overflow, NaN) on the exact general
 * path.
 */
function halfOf(word: number): number {
  const abs = word & 0x7fffffff;
  // Normal halves (nearly every weight): halfNormalMin <= abs < halfOverflow, tested as one unsigned
  // comparison. Rounding to nearest even adds a bias below the cut, which carries into the exponent
  // (and to infinity) by itself.
  return (abs - halfNormalMin) >>> 0 < halfOverflow - halfNormalMin
    ? ((word >> 16) & 0x8000) | (((abs + 0x0fff + ((abs >> 13) & 1)) >> 13) - 0x1c000)
    : floatBitsToHalf(word >>> 0);
}

/** Writes values.length halves into `bytes` (2 bytes each). */
export function encodeF16(values: Float32Array, bytes: Uint8Array): void {
  // Signed words keep every step in V8's 32-bit integer arithmetic.
  const words = new Int32Array(values.buffer, values.byteOffset, values.length);
  const n = words.length;
  if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) {
    const pairs = new Int32Array(bytes.buffer, bytes.byteOffset, n >>> 1);
    for (let i = 0, w = 0; i < pairs.length; i++, w += 2)
      pairs[i] = halfOf(words[w]!) | (halfOf(words[w + 1]!) << 16);
    if (n % 2 === 1) {
      const h = halfOf(words[n - 1]!);
      bytes[2 * n - 2] = h & 0xff;
      bytes[2 * n - 1] = h >>> 8;
    }
    return;
  }
  for (let i = 0, o = 0; i < n; i++, o += 2) {
    const h = halfOf(words[i]!);
    bytes[o] = h & 0xff;
    bytes[o + 1] = h >>> 8;
  }
}

export function decodeBF16(bytes: Uint8Array, out: Float32Array): void {
  const outBits = bitsOf(out);
  for (let i = 0, o = 0; i < outBits.length; i++, o += 2) {
    outBits[i] = ((bytes[o]! | (bytes[o + 1]! << 8)) << 16) >>> 0;
  }
}

export function encodeBF16(values: Float32Array, bytes: Uint8Array): void {
  const bits = bitsOf(values);
  for (let i = 0, o = 0; i < bits.length; i++, o += 2) {
    const b = floatBitsToBfloat16(bits[i]!);
    bytes[o] = b & 0xff;
    bytes[o + 1] = b >>> 8;
  }
}
