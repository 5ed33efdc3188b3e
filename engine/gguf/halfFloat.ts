// IEEE binary16 and bfloat16 conversions, done on bit patterns so subnormals, infinities and NaN
// payloads come out exactly as ggml's GGML_FP16_TO_FP32 / GGML_FP32_TO_FP16 / GGML_FP32_TO_BF16 produce them.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

export function float32Bits(value: number): number {
  scratchF32[0] = value;
  return scratchU32[0]!;
}

export function float32FromBits(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0]!;
}

function halfBitsToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal half: normalise the mantissa into a float32 normal.
  let e = 113;
  let m = mantissa;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** Every half-precision bit pattern decoded once: decoding is a table lookup. */
export const halfToFloatTable: Float32Array = (() => {
  const bits = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) bits[h] = halfBitsToFloatBits(h);
  return new Float32Array(bits.buffer);
})();

export function halfToFloat(h: number): number {
  return halfToFloatTable[h & 0xffff]!;
}

/** float32 bits to half bits, rounding to nearest even; NaN becomes the quiet NaN 0x7e00 with its sign. */
export function floatBitsToHalf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;
  const exponent = abs >>> 23;
  if (exponent >= 143) return sign | 0x7c00; // >= 2^16: beyond the half range even before rounding
  if (exponent >= 113) {
    // Normal half. A rounding carry propagates into the exponent, and up to infinity, by itself.
    const mantissa = abs & 0x7fffff;
    let half = ((exponent - 112) << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
    return sign | half;
  }
  if (exponent >= 102) {
    // Subnormal half: units of 2^-24.
    const mantissa = (abs & 0x7fffff) | 0x800000;
    const shift = 126 - exponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  return sign;
}

export function floatToHalf(value: number): number {
  return floatBitsToHalf(float32Bits(value));
}

/** float32 bits to bfloat16 bits, rounding to nearest even; NaN stays NaN (quieted). */
export function floatBitsToBfloat16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  const roundingBias = 0x7fff + ((bits >>> 16) & 1);
  // The sum stays below 2^32 for every non-NaN pattern, so the unsigned shift is exact.
  return (((bits >>> 0) + roundingBias) >>> 16) & 0xffff;
}

export function floatToBfloat16(value: number): number {
  return floatBitsToBfloat16(float32Bits(value));
}

export function bfloat16ToFloat(b: number): number {
  return float32FromBits((b & 0xffff) << 16);
}
