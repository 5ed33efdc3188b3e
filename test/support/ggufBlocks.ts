// Packs quantized blocks from chosen parameters, element by element, following the block layouts in
// ggml-common.h. The packers index by element so they do not mirror the decoders' loop structure.

function putHalf(bytes: Uint8Array, at: number, half: number): void {
  bytes[at] = half & 0xff;
  bytes[at + 1] = half >>> 8;
}

/**
 * Q4_0: f16 d, 16 bytes; element j < 16 is the low nibble of byte j, element j >= 16 the high nibble of byte
 * j-16.
 */
export function packQ4_0(dHalf: number, quants: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(18);
  putHalf(bytes, 0, dHalf);
  quants.forEach((q, e) => {
    bytes[2 + (e % 16)]! |= e < 16 ? q : q << 4;
  });
  return bytes;
}

/** Q8_0: f16 d, 32 int8 quants. */
export function packQ8_0(dHalf: number, quants: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(34);
  putHalf(bytes, 0, dHalf);
  quants.forEach((q, e) => (bytes[2 + e] = q & 0xff));
  return bytes;
}

/**
 * Q5_0 (22 bytes) and Q5_1 (24 bytes): f16 d (and for Q5_1 f16 m), then 4 little-endian bytes whose bit e
 * is the fifth bit of element e, then 16 bytes of low nibbles as in Q4_0.
 */
function packQ5(header: number[], quants: readonly number[]): Uint8Array {
  const headerBytes = 2 * header.length;
  const bytes = new Uint8Array(headerBytes + 4 + 16);
  header.forEach((half, i) => putHalf(bytes, 2 * i, half));
  quants.forEach((q, e) => {
    bytes[headerBytes + 4 + (e % 16)]! |= e < 16 ? q & 0x0f : (q & 0x0f) << 4;
    if (q & 0x10) bytes[headerBytes + Math.floor(e / 8)]! |= 1 << (e % 8);
  });
  return bytes;
}

/** Q5_0: x = d * (q - 16). */
export function packQ5_0(dHalf: number, quants: readonly number[]): Uint8Array {
  return packQ5([dHalf], quants);
}

/** Q5_1: x = d * q + m. */
export function packQ5_1(dHalf: number, mHalf: number, quants: readonly number[]): Uint8Array {
  return packQ5([dHalf, mHalf], quants);
}

/** The 12 scale bytes of Q4_K/Q5_K: eight 6-bit scales and eight 6-bit mins. */
function packScalesAndMins(
  bytes: Uint8Array,
  at: number,
  scales: readonly number[],
  mins: readonly number[],
): void {
  for (let j = 0; j < 4; j++) {
    bytes[at + j] = scales[j]! | ((scales[j + 4]! >> 4) << 6);
    bytes[at + 4 + j] = mins[j]! | ((mins[j + 4]! >> 4) << 6);
    bytes[at + 8 + j] = (scales[j + 4]! & 0x0f) | ((mins[j + 4]! & 0x0f) << 4);
  }
}

/**
 * Q4_K: f16 d, f16 dmin, 12 scale bytes, 128 quant bytes. Element e lies in sub-block e/32 (its scale and
 * min); within each 64-element chunk c, the first 32 are low nibbles of bytes 32c.., the next 32 high
 * nibbles.
 */
export function packQ4_K(
  dHalf: number,
  dminHalf: number,
  scales: readonly number[],
  mins: readonly number[],
  quants: readonly number[],
): Uint8Array {
  const bytes = new Uint8Array(144);
  putHalf(bytes, 0, dHalf);
  putHalf(bytes, 2, dminHalf);
  packScalesAndMins(bytes, 4, scales, mins);
  quants.forEach((q, e) => {
    const chunk = Math.floor(e / 64);
    const r = e % 64;
    bytes[16 + 32 * chunk + (r % 32)]! |= r < 32 ? q : q << 4;
  });
  return bytes;
}

/**
 * Q5_K: as Q4_K, plus 32 qh bytes before the nibbles: the fifth bit of element e is bit (e/32) of qh[e % 32].
 */
export function packQ5_K(
  dHalf: number,
  dminHalf: number,
  scales: readonly number[],
  mins: readonly number[],
  quants: readonly number[],
): Uint8Array {
  const bytes = new Uint8Array(176);
  putHalf(bytes, 0, dHalf);
  putHalf(bytes, 2, dminHalf);
  packScalesAndMins(bytes, 4, scales, mins);
  quants.forEach((q, e) => {
    const chunk = Math.floor(e / 64);
    const r = e % 64;
    bytes[48 + 32 * chunk + (r % 32)]! |= r < 32 ? q & 0x0f : (q & 0x0f) << 4;
    if (q & 0x10) bytes[16 + (e % 32)]! |= 1 << Math.floor(e / 32);
  });
  return bytes;
}

/**
 * Q6_K: 128 ql bytes, 64 qh bytes, 16 int8 scales (one per 16 elements), f16 d. In each 128-element half h,
 * quarter k (32 elements, index l) takes its low 4 bits from ql[64h + 32(k%2) + l] (low nibble for k<2,
 * high for k>=2) and its top 2 bits from bits 2k..2k+1 of qh[32h + l].
 */
export function packQ6_K(dHalf: number, scales: readonly number[], quants: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(210);
  quants.forEach((q, e) => {
    const h = Math.floor(e / 128);
    const k = Math.floor((e % 128) / 32);
    const l = e % 32;
    const low = q & 0x0f;
    bytes[64 * h + 32 * (k % 2) + l]! |= k < 2 ? low : low << 4;
    bytes[128 + 32 * h + l]! |= (q >> 4) << (2 * k);
  });
  scales.forEach((s, i) => (bytes[192 + i] = s & 0xff));
  putHalf(bytes, 208, dHalf);
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
