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

// Decoding copies bit patterns (not float values), so NaN payloads survive exactly.
export function decodeF16(bytes: Uint8Array, out: Float32Array): void {
  const outBits = bitsOf(out);
  for (let i = 0, o = 0; i < outBits.length; i++, o += 2) {
    outBits[i] = halfToFloatBits[bytes[o]! | (bytes[o + 1]! << 8)]!;
  }
}

export function encodeF16(values: Float32Array): Uint8Array {
  const bits = bitsOf(values);
  const bytes = new Uint8Array(values.length * 2);
  for (let i = 0, o = 0; i < bits.length; i++, o += 2) {
    const h = floatBitsToHalf(bits[i]!);
    bytes[o] = h & 0xff;
    bytes[o + 1] = h >>> 8;
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
