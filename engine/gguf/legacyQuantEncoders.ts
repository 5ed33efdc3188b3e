// Encoders of ggml's 32-value block types Q4_0, Q5_0 and Q5_1, following quantize_row_{q4_0,q5_0,q5_1}_ref
// bit for bit (float32 arithmetic; a float converted to an integer truncates towards zero, as C does).
// Q5_0 and Q5_1 are what llama.cpp writes instead of Q4_K and Q5_K for rows that are not whole 256-value
// super-blocks.
import { checkFiniteBlock, writeHalf } from "./quantBlockIo.js";

const fround = Math.fround;
const QK = 32;

/**
 * C's conversion of a float to a small integer type on x86-64: truncation towards zero, and the
 * "integer indefinite" value (whose low byte is 0) for infinities, which a subnormal scale's 1/d gives.
 */
function truncateToInt8(value: number): number {
  return Number.isFinite(value) ? (Math.trunc(value) << 24) >> 24 : 0;
}

/** The element of the block at `x` with the largest magnitude (the first such), with its sign. */
function signedAbsMax(values: Float32Array, x: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = values[x + j]!;
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

/** Q4_0 block (18 bytes): f16 d = max / -8, then 16 bytes of nibbles q with x = d * (q - 8). */
export function encodeQ4_0(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK;
    const at = b * 18;
    checkFiniteBlock(values, x, QK, "Q4_0");
    const d = fround(signedAbsMax(values, x) / -8);
    const id = d !== 0 ? fround(1 / d) : 0;
    writeHalf(bytes, at, d);
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(15, truncateToInt8(fround(fround(values[x + j]! * id) + 8.5)));
      const q1 = Math.min(15, truncateToInt8(fround(fround(values[x + j + 16]! * id) + 8.5)));
      bytes[at + 2 + j] = (q0 & 0xff) | ((q1 << 4) & 0xff);
    }
  }
}

/** Packs the 32 fifth bits of a Q5 block into its 4-byte little-endian qh at `at`. */
function writeHighBits(bytes: Uint8Array, at: number, qh: number): void {
  bytes[at] = qh & 0xff;
  bytes[at + 1] = (qh >>> 8) & 0xff;
  bytes[at + 2] = (qh >>> 16) & 0xff;
  bytes[at + 3] = qh >>> 24;
}

/**
 * Q5_0 block (22 bytes): f16 d = max / -16, 4 bytes of fifth bits, 16 bytes of low nibbles; x = d * (q - 16).
 */
export function encodeQ5_0(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK;
    const at = b * 22;
    checkFiniteBlock(values, x, QK, "Q5_0");
    const d = fround(signedAbsMax(values, x) / -16);
    const id = d !== 0 ? fround(1 / d) : 0;
    writeHalf(bytes, at, d);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(31, truncateToInt8(fround(fround(values[x + j]! * id) + 16.5))) & 0xff;
      const q1 = Math.min(31, truncateToInt8(fround(fround(values[x + j + 16]! * id) + 16.5))) & 0xff;
      bytes[at + 6 + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
      qh |= ((q0 & 0x10) >>> 4) << j;
      qh |= ((q1 & 0x10) >>> 4) << (j + 16);
    }
    writeHighBits(bytes, at + 2, qh);
  }
}

/**
 * Q5_1 block (24 bytes): f16 d = (max - min) / 31, f16 m = min, 4 bytes of fifth bits, 16 bytes of low
 * nibbles; x = d * q + m.
 */
export function encodeQ5_1(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK;
    const at = b * 24;
    checkFiniteBlock(values, x, QK, "Q5_1");
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < QK; j++) {
      const v = values[x + j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = fround(fround(max - min) / 31);
    const id = d !== 0 ? fround(1 / d) : 0;
    writeHalf(bytes, at, d);
    writeHalf(bytes, at + 2, min);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const q0 = truncateToInt8(fround(fround(fround(values[x + j]! - min) * id) + 0.5)) & 0xff;
      const q1 = truncateToInt8(fround(fround(fround(values[x + j + 16]! - min) * id) + 0.5)) & 0xff;
      bytes[at + 8 + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
      qh |= ((q0 & 0x10) >>> 4) << j;
      qh |= ((q1 & 0x10) >>> 4) << (j + 16);
    }
    writeHighBits(bytes, at + 4, qh);
  }
}
