// Block (de)quantizers following ggml-quants.c: quantize_row_q8_0_ref and
// dequantize_row_{q4_0,q5_0,q5_1,q8_0,q4_K,q5_K,q6_K}. ggml computes in float32; every product and difference
// here is rounded to float32 (Math.fround, or the store into a Float32Array) at the same points, which makes
// the results bit-exact: one double operation on float32 operands rounded to float32 equals the float32
// operation.
import { floatToHalf, halfToFloatTable } from "./halfFloat.js";

const fround = Math.fround;
const QK = 32;
const QK_K = 256;

function half(bytes: Uint8Array, at: number): number {
  return halfToFloatTable[bytes[at]! | (bytes[at + 1]! << 8)]!;
}

/** Q8_0 block: f16 d, then 32 int8 quants; x = d * q. */
export function decodeQ8_0(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const at = b * 34;
    const d = half(bytes, at);
    const y = b * QK;
    for (let j = 0; j < QK; j++) out[y + j] = ((bytes[at + 2 + j]! << 24) >> 24) * d;
  }
}

/** Round half away from zero, as C's roundf does (Math.round rounds halves up). */
function roundAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** quantize_row_q8_0_ref: d = amax / 127 stored as f16, q = roundf(x / d) using float32 arithmetic. */
export function encodeQ8_0(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const v = values[x + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`cannot quantize ${v} (element ${x + j}) to Q8_0`);
      const a = Math.abs(v);
      if (a > amax) amax = a;
    }
    const d = fround(amax / 127);
    let id = d !== 0 ? fround(1 / d) : 0;
    // A subnormal d overflows 1/d; its f16 is 0 anyway, so every quant decodes to 0.
    if (!Number.isFinite(id)) id = 0;
    const h = floatToHalf(d);
    const at = b * 34;
    bytes[at] = h & 0xff;
    bytes[at + 1] = h >>> 8;
    for (let j = 0; j < QK; j++) bytes[at + 2 + j] = roundAway(fround(values[x + j]! * id)) & 0xff;
  }
}

/** Q4_0 block: f16 d, then 16 bytes; low nibbles are elements 0..15, high nibbles 16..31; x = d * (q - 8). */
export function decodeQ4_0(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const at = b * 18;
    const d = half(bytes, at);
    const y = b * QK;
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 2 + j]!;
      out[y + j] = ((q & 0x0f) - 8) * d;
      out[y + j + 16] = ((q >> 4) - 8) * d;
    }
  }
}

/** The 4 little-endian bytes of a Q5 block's fifth bits. */
function highBits(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/**
 * Q5_0 block: f16 d, 4 bytes of fifth bits, 16 bytes of low nibbles (elements j and j + 16); x = d * (q -
 * 16).
 */
export function decodeQ5_0(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const at = b * 22;
    const d = half(bytes, at);
    const qh = highBits(bytes, at + 2);
    const y = b * QK;
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 6 + j]!;
      out[y + j] = (((q & 0x0f) | (((qh >>> j) << 4) & 0x10)) - 16) * d;
      out[y + j + 16] = (((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16) * d;
    }
  }
}

/** Q5_1 block: f16 d, f16 m, 4 bytes of fifth bits, 16 bytes of low nibbles; x = d * q + m. */
export function decodeQ5_1(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const at = b * 24;
    const d = half(bytes, at);
    const m = half(bytes, at + 2);
    const qh = highBits(bytes, at + 4);
    const y = b * QK;
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 8 + j]!;
      out[y + j] = fround(((q & 0x0f) | (((qh >>> j) << 4) & 0x10)) * d) + m;
      out[y + j + 16] = fround(((q >> 4) | ((qh >>> (j + 12)) & 0x10)) * d) + m;
    }
  }
}

/** get_scale_min_k4: the j-th 6-bit scale and min packed in the 12 scale bytes starting at `at`. */
function scaleAndMin(bytes: Uint8Array, at: number, j: number, into: Uint8Array): void {
  if (j < 4) {
    into[0] = bytes[at + j]! & 63;
    into[1] = bytes[at + j + 4]! & 63;
  } else {
    into[0] = (bytes[at + j + 4]! & 0x0f) | ((bytes[at + j - 4]! >> 6) << 4);
    into[1] = (bytes[at + j + 4]! >> 4) | ((bytes[at + j]! >> 6) << 4);
  }
}

const scratch = new Uint8Array(2);

/** Q4_K super-block (144 bytes): f16 d, f16 dmin, 12 scale bytes, 128 quant bytes; x = d*sc*q - dmin*m. */
export function decodeQ4_K(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK_K;
  for (let b = 0; b < blocks; b++) {
    const at = b * 144;
    const d = half(bytes, at);
    const dmin = half(bytes, at + 2);
    const scales = at + 4;
    let q = at + 16;
    let y = b * QK_K;
    for (let is = 0; is < 8; is += 2) {
      scaleAndMin(bytes, scales, is, scratch);
      const d1 = fround(d * scratch[0]!);
      const m1 = fround(dmin * scratch[1]!);
      scaleAndMin(bytes, scales, is + 1, scratch);
      const d2 = fround(d * scratch[0]!);
      const m2 = fround(dmin * scratch[1]!);
      for (let l = 0; l < 32; l++) out[y + l] = fround(d1 * (bytes[q + l]! & 0x0f)) - m1;
      for (let l = 0; l < 32; l++) out[y + 32 + l] = fround(d2 * (bytes[q + l]! >> 4)) - m2;
      q += 32;
      y += 64;
    }
  }
}

/** Q5_K super-block (176 bytes): f16 d, f16 dmin, 12 scale bytes, 32 high-bit bytes, 128 low-nibble bytes. */
export function decodeQ5_K(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK_K;
  for (let b = 0; b < blocks; b++) {
    const at = b * 176;
    const d = half(bytes, at);
    const dmin = half(bytes, at + 2);
    const scales = at + 4;
    const qh = at + 16;
    let ql = at + 48;
    let y = b * QK_K;
    let u1 = 1;
    let u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      scaleAndMin(bytes, scales, is, scratch);
      const d1 = fround(d * scratch[0]!);
      const m1 = fround(dmin * scratch[1]!);
      scaleAndMin(bytes, scales, is + 1, scratch);
      const d2 = fround(d * scratch[0]!);
      const m2 = fround(dmin * scratch[1]!);
      for (let l = 0; l < 32; l++) {
        const high = bytes[qh + l]! & u1 ? 16 : 0;
        out[y + l] = fround(d1 * ((bytes[ql + l]! & 0x0f) + high)) - m1;
      }
      for (let l = 0; l < 32; l++) {
        const high = bytes[qh + l]! & u2 ? 16 : 0;
        out[y + 32 + l] = fround(d2 * ((bytes[ql + l]! >> 4) + high)) - m2;
      }
      ql += 32;
      y += 64;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}

/**
 * Q6_K super-block (210 bytes): 128 low-nibble bytes, 64 high-2-bit bytes, 16 int8 scales, f16 d; x =
 * d*sc*(q-32).
 */
export function decodeQ6_K(bytes: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK_K;
  for (let b = 0; b < blocks; b++) {
    const at = b * 210;
    const d = half(bytes, at + 208);
    let ql = at;
    let qh = at + 128;
    let sc = at + 192;
    let y = b * QK_K;
    for (let n = 0; n < QK_K; n += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const low0 = bytes[ql + l]!;
        const low32 = bytes[ql + l + 32]!;
        const high = bytes[qh + l]!;
        const q1 = ((low0 & 0x0f) | (((high >> 0) & 3) << 4)) - 32;
        const q2 = ((low32 & 0x0f) | (((high >> 2) & 3) << 4)) - 32;
        const q3 = ((low0 >> 4) | (((high >> 4) & 3) << 4)) - 32;
        const q4 = ((low32 >> 4) | (((high >> 6) & 3) << 4)) - 32;
        out[y + l] = fround(d * ((bytes[sc + is]! << 24) >> 24)) * q1;
        out[y + l + 32] = fround(d * ((bytes[sc + is + 2]! << 24) >> 24)) * q2;
        out[y + l + 64] = fround(d * ((bytes[sc + is + 4]! << 24) >> 24)) * q3;
        out[y + l + 96] = fround(d * ((bytes[sc + is + 6]! << 24) >> 24)) * q4;
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}
