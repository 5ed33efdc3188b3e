/**
 * Top-k selection by magnitude in linear time, without sorting or copying the tensor.
 *
 * For non-negative IEEE floats the bit pattern orders like the value, so the k-th largest |value|
 * is found with a two-level radix select over the pattern's high and low 16 bits (sign bit cleared).
 *
 * Ties at the threshold are resolved by position: among entries whose magnitude equals the k-th
 * largest, the ones with the lowest indices are kept, so exactly k entries survive.
 */

/** The k-th largest magnitude, as its bit pattern, and how many entries equal to it belong to the top k. */
interface TopKCut {
  thresholdBits: number;
  equalsToKeep: number;
}

const ABS_MASK = 0x7fffffff;

function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Requires 1 <= k <= values.length. */
function findCut(bits: Uint32Array, k: number): TopKCut {
  const high = new Uint32Array(0x8000);
  for (let j = 0; j < bits.length; j++) high[(bits[j]! & ABS_MASK) >>> 16]++;
  let remaining = k;
  let bucket = 0x7fff;
  for (; bucket > 0 && high[bucket]! < remaining; bucket--) remaining -= high[bucket]!;

  const low = new Uint32Array(0x10000);
  for (let j = 0; j < bits.length; j++) {
    const a = bits[j]! & ABS_MASK;
    if (a >>> 16 === bucket) low[a & 0xffff]++;
  }
  let slot = 0xffff;
  for (; slot > 0 && low[slot]! < remaining; slot--) remaining -= low[slot]!;
  return { thresholdBits: (bucket << 16) | slot, equalsToKeep: remaining };
}

/** Zeroes every entry of `values` outside the k of largest magnitude (in place). */
export function keepTopKMagnitudes(values: Float32Array, k: number): void {
  const n = values.length;
  if (k >= n) return;
  if (k <= 0) {
    values.fill(0);
    return;
  }
  const bits = bitsOf(values);
  const { thresholdBits, equalsToKeep } = findCut(bits, k);
  let equalsLeft = equalsToKeep;
  for (let j = 0; j < n; j++) {
    const a = bits[j]! & ABS_MASK;
    if (a > thresholdBits || (a === thresholdBits && equalsLeft-- > 0)) continue;
    values[j] = 0;
  }
}

/** 1 at the k positions of largest magnitude, 0 elsewhere. */
export function topKMagnitudeMask(values: Float32Array, k: number): Uint8Array {
  const n = values.length;
  const mask = new Uint8Array(n);
  if (k >= n) return mask.fill(1);
  if (k <= 0) return mask;
  const bits = bitsOf(values);
  const { thresholdBits, equalsToKeep } = findCut(bits, k);
  let equalsLeft = equalsToKeep;
  for (let j = 0; j < n; j++) {
    const a = bits[j]! & ABS_MASK;
    if (a > thresholdBits || (a === thresholdBits && equalsLeft-- > 0)) mask[j] = 1;
  }
  return mask;
}
