// k-quant encoders following ggml-quants.c's reference quantizers quantize_row_{q4_K,q5_K,q6_K}_ref
// (what llama-quantize runs without an importance matrix), bit-exact: float32 arithmetic throughout,
// see kQuantFit.ts. Each 256-value super-block is encoded on its own, so a tensor can be encoded in
// pieces of whole super-blocks.
import { halfToFloatTable } from "./halfFloat.js";
import { checkFiniteBlock, writeHalf } from "./quantBlockIo.js";
import { fitScaleAndMin, fitSymmetricScale, nearestInt } from "./kQuantFit.js";

const fround = Math.fround;
const QK_K = 256;
const SUB_BLOCKS = QK_K / 32;

// Scratch reused by every call: these encoders run over gigabytes and allocate nothing per block.
const quants = new Uint8Array(QK_K);
const weights = new Float32Array(32);
const subScales = new Float32Array(QK_K / 16);
const subMins = new Float32Array(SUB_BLOCKS);

function readHalf(bytes: Uint8Array, at: number): number {
  return halfToFloatTable[bytes[at]! | (bytes[at + 1]! << 8)]!;
}

/** get_scale_min_k4's 6-bit scale of sub-block j in the 12 packed scale bytes at `at`. */
function packedScale(bytes: Uint8Array, at: number, j: number): number {
  return j < 4 ? bytes[at + j]! & 63 : (bytes[at + j + 4]! & 0x0f) | ((bytes[at + j - 4]! >> 6) << 4);
}

/** get_scale_min_k4's 6-bit min of sub-block j. */
function packedMin(bytes: Uint8Array, at: number, j: number): number {
  return j < 4 ? bytes[at + j + 4]! & 63 : (bytes[at + j + 4]! >> 4) | ((bytes[at + j]! >> 6) << 4);
}

/**
 * The shared front half of Q4_K and Q5_K: per 32-value sub-block a scale and min fitted with weights
 * rms + |x|, both quantized to 6 bits against super-block maxima (f16 d and dmin) and packed into the
 * 12 scale bytes, then every value re-quantized against the stored scales into `quants`.
 */
function encodeScalesAndMins(
  values: Float32Array,
  x: number,
  nmax: number,
  rmin: number,
  nstep: number,
  bytes: Uint8Array,
  at: number,
): void {
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < SUB_BLOCKS; j++) {
    const start = x + 32 * j;
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = fround(sumX2 + fround(values[start + l]! * values[start + l]!));
    const rms = fround(Math.sqrt(fround(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = rms + Math.abs(values[start + l]!);
    fitScaleAndMin(
      nmax,
      values,
      start,
      weights,
      quants,
      32 * j,
      rmin,
      fround(0.1),
      nstep,
      subScales,
      subMins,
      j,
    );
    if (subScales[j]! > maxScale) maxScale = subScales[j]!;
    if (subMins[j]! > maxMin) maxMin = subMins[j]!;
  }
  const inverseScale = maxScale > 0 ? fround(63 / maxScale) : 0;
  const inverseMin = maxMin > 0 ? fround(63 / maxMin) : 0;
  const scaleBytes = at + 4;
  for (let j = 0; j < SUB_BLOCKS; j++) {
    // ggml stores nearest_int's result in a uint8_t before clamping to 63.
    const ls = Math.min(63, nearestInt(fround(inverseScale * subScales[j]!)) & 0xff);
    const lm = Math.min(63, nearestInt(fround(inverseMin * subMins[j]!)) & 0xff);
    if (j < 4) {
      bytes[scaleBytes + j] = ls;
      bytes[scaleBytes + j + 4] = lm;
    } else {
      bytes[scaleBytes + j + 4] = (ls & 0x0f) | ((lm & 0x0f) << 4);
      bytes[scaleBytes + j - 4] = bytes[scaleBytes + j - 4]! | ((ls >> 4) << 6);
      bytes[scaleBytes + j] = bytes[scaleBytes + j]! | ((lm >> 4) << 6);
    }
  }
  writeHalf(bytes, at, fround(maxScale / 63));
  writeHalf(bytes, at + 2, fround(maxMin / 63));
  const d = readHalf(bytes, at);
  const dmin = readHalf(bytes, at + 2);
  for (let j = 0; j < SUB_BLOCKS; j++) {
    const scale = fround(d * packedScale(bytes, scaleBytes, j));
    // A zero scale keeps the quants the fit chose.
    if (scale === 0) continue;
    const offset = fround(dmin * packedMin(bytes, scaleBytes, j));
    const start = x + 32 * j;
    for (let l = 0; l < 32; l++) {
      const q = nearestInt(fround(fround(values[start + l]! + offset) / scale));
      quants[32 * j + l] = Math.max(0, Math.min(nmax, q));
    }
  }
}

/** quantize_row_q4_K_ref. Q4_K super-block (144 bytes): f16 d, f16 dmin, 12 scale bytes, 128 nibble bytes. */
export function encodeQ4_K(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK_K;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K;
    const at = b * 144;
    checkFiniteBlock(values, x, QK_K, "Q4_K");
    encodeScalesAndMins(values, x, 15, -1, 20, bytes, at);
    let q = at + 16;
    for (let j = 0; j < QK_K; j += 64) {
      for (let l = 0; l < 32; l++) bytes[q + l] = quants[j + l]! | (quants[j + l + 32]! << 4);
      q += 32;
    }
  }
}

/**
 * quantize_row_q5_K_ref. Q5_K super-block (176 bytes): f16 d, f16 dmin, 12 scale bytes, 32 bytes of
 * fifth bits, 128 low-nibble bytes.
 */
export function encodeQ5_K(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK_K;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K;
    const at = b * 176;
    checkFiniteBlock(values, x, QK_K, "Q5_K");
    encodeScalesAndMins(values, x, 31, fround(-0.5), 15, bytes, at);
    const qh = at + 16;
    let ql = at + 48;
    bytes.fill(0, qh, qh + 32);
    let m1 = 1;
    let m2 = 2;
    for (let n = 0; n < QK_K; n += 64) {
      for (let j = 0; j < 32; j++) {
        const l1 = quants[n + j]!;
        const l2 = quants[n + j + 32]!;
        let high = bytes[qh + j]!;
        if (l1 > 15) high |= m1;
        if (l2 > 15) high |= m2;
        bytes[qh + j] = high;
        bytes[ql + j] = (l1 & 0x0f) | ((l2 & 0x0f) << 4);
      }
      m1 <<= 2;
      m2 <<= 2;
      ql += 32;
    }
  }
}

/**
 * quantize_row_q6_K_ref. Q6_K super-block (210 bytes): 128 low-nibble bytes, 64 bytes of high 2 bits,
 * 16 int8 scales, f16 d.
 */
export function encodeQ6_K(values: Float32Array, bytes: Uint8Array): void {
  const blocks = values.length / QK_K;
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K;
    const at = b * 210;
    checkFiniteBlock(values, x, QK_K, "Q6_K");
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let s = 0; s < QK_K / 16; s++) {
      const scale = fitSymmetricScale(values, x + 16 * s, quants, 16 * s);
      subScales[s] = scale;
      const abs = Math.abs(scale);
      if (abs > maxAbsScale) {
        maxAbsScale = abs;
        maxScale = scale;
      }
    }
    if (maxAbsScale < fround(1e-15)) {
      bytes.fill(0, at, at + 210);
      continue;
    }
    const iscale = fround(-128 / maxScale);
    writeHalf(bytes, at + 208, fround(1 / iscale));
    const d = readHalf(bytes, at + 208);
    const scaleBytes = at + 192;
    for (let s = 0; s < QK_K / 16; s++) {
      bytes[scaleBytes + s] = Math.min(127, nearestInt(fround(iscale * subScales[s]!))) & 0xff;
    }
    for (let s = 0; s < QK_K / 16; s++) {
      const scale = fround(d * ((bytes[scaleBytes + s]! << 24) >> 24));
      if (scale === 0) continue;
      for (let i = 0; i < 16; i++) {
        const q = nearestInt(fround(values[x + 16 * s + i]! / scale));
        quants[16 * s + i] = Math.max(-32, Math.min(31, q)) + 32;
      }
    }
    let ql = at;
    let qh = at + 128;
    for (let j = 0; j < QK_K; j += 128) {
      for (let l = 0; l < 32; l++) {
        const q1 = quants[j + l]!;
        const q2 = quants[j + l + 32]!;
        const q3 = quants[j + l + 64]!;
        const q4 = quants[j + l + 96]!;
        bytes[ql + l] = (q1 & 0x0f) | ((q3 & 0x0f) << 4);
        bytes[ql + l + 32] = (q2 & 0x0f) | ((q4 & 0x0f) << 4);
        bytes[qh + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
      }
      ql += 64;
      qh += 32;
    }
  }
}
