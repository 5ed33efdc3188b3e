import { floatBitsToBfloat16, floatBitsToHalf, halfToFloatTable } from "./halfFloat.js";

// GGUF tensor data is little-endian. Typed arrays use the host order, so the bulk copies below are
// only taken on little-endian hosts; the byte-by-byte paths work on any host.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const halfToFloatBits = new Uint32Array(halfToFloatTable.buffer);

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

export function encodeF32(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  if (hostIsLittleEndian) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.length * 4));
    return bytes;
  }
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Decoding copies bit patterns (not float values), so NaN payloads survive exactly.
export function decodeF16(bytes: Uint8Array, out: Float32Array): void {
  const outBits = bitsOf(out);
  if (littleEndian && bytes.byteOffset % 2 === 0) {
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, outBits.length);
    for (let i = 0; i < outBits.length; i++) outBits[i] = halfToFloatBits[halves[i]!]!;
    return;
  }
  for (let i = 0, o = 0; i < outBits.length; i++, o += 2) {
    outBits[i] = halfToFloatBits[bytes[o]! | (bytes[o + 1]! << 8)]!;
  }
}

/** Smallest float32 bit pattern that is a normal half (2^-14), and the first that overflows it (2^16). */
const halfNormalMin = 0x38800000;
const halfOverflow = 0x47800000;

export function encodeF16(values: Float32Array, into?: Uint8Array): Uint8Array {
  const bits = bitsOf(values);
  const bytes = into ? into.subarray(0, values.length * 2) : new Uint8Array(values.length * 2);
  const halves = littleEndian && bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, values.length) : undefined;
  for (let i = 0; i < bits.length; i++) {
    const word = bits[i]!;
    const abs = word & 0x7fffffff;
    // Normal halves (nearly every weight): round to nearest even by adding a bias below the cut, which
    // carries into the exponent (and to infinity) by itself. The rest takes the exact general path.
    const h =
      abs >= halfNormalMin && abs < halfOverflow
        ? ((word >>> 16) & 0x8000) | (((abs + 0x0fff + ((abs >>> 13) & 1)) >>> 13) - 0x1c000)
        : floatBitsToHalf(word);
    if (halves) halves[i] = h;
    else {
      bytes[i * 2] = h & 0xff;
      bytes[i * 2 + 1] = h >>> 8;
    }
  }
  return bytes;
}

export function decodeBF16(bytes: Uint8Array, out: Float32Array): void {
  const outBits = bitsOf(out);
  for (let i = 0, o = 0; i < outBits.length; i++, o += 2) {
    outBits[i] = ((bytes[o]! | (bytes[o + 1]! << 8)) << 16) >>> 0;
  }
}

export function encodeBF16(values: Float32Array): Uint8Array {
  const bits = bitsOf(values);
  const bytes = new Uint8Array(values.length * 2);
  for (let i = 0, o = 0; i < bits.length; i++, o += 2) {
    const b = floatBitsToBfloat16(bits[i]!);
    bytes[o] = b & 0xff;
    bytes[o + 1] = b >>> 8;
  }
  return bytes;
}
