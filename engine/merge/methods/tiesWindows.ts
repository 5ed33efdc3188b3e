import type { MagnitudeWindow } from "./topK.js";

/** How many standard deviations of a sample rank either side of the expected one a window covers. */
const RANK_MARGIN_SIGMAS = 5;
/** Wider than this, a window's counts (256 KiB a bucket) would cost more than the pass it may save. */
const MAX_WINDOW_BUCKETS = 16;

const ABS_MASK = 0x7fffffff;

/**
 * Where each input's TIES cut (its kᵢ-th largest |xᵢ − base| of n) is expected, from a sample of the
 * tensor's positions (`base` and `samples[i]` the same positions): a window of magnitude buckets around
 * the sample's matching rank, wide enough for the sampling error (a binomial rank's spread, several times
 * over), or undefined where it would be too wide or no cut needs counting. A window only saves a pass when
 * it holds the cut; it never changes the cut.
 */
export function tiesMagnitudeWindows(
  base: Float32Array,
  samples: readonly Float32Array[],
  keptCounts: readonly number[],
  n: number,
): (MagnitudeWindow | undefined)[] {
  const size = base.length;
  const scratch = new Float32Array(size);
  const words = new Int32Array(scratch.buffer);
  const high = new Uint32Array(0x8000);
  return samples.map((sample, i) => {
    const k = keptCounts[i]!;
    if (size === 0 || k <= 0 || k >= n) return undefined;
    high.fill(0);
    for (let j = 0; j < size; j++) scratch[j] = sample[j]! - base[j]!;
    for (let j = 0; j < size; j++) high[(words[j]! & ABS_MASK) >>> 16]!++;
    const rank = (k * size) / n;
    const margin = RANK_MARGIN_SIGMAS * Math.sqrt(rank * (1 - rank / size)) + 2;
    const top = bucketOfRank(high, Math.max(1, Math.floor(rank - margin)));
    const bottom = bucketOfRank(high, Math.min(size, Math.ceil(rank + margin)));
    const first = Math.max(0, bottom - 1);
    const buckets = Math.min(0x7fff, top + 1) - first + 1;
    return buckets <= MAX_WINDOW_BUCKETS ? { first, buckets } : undefined;
  });
}

/** The bucket holding the `rank`-th largest (1 the largest) of the magnitudes counted in `high`. */
function bucketOfRank(high: Uint32Array, rank: number): number {
  let remaining = rank;
  let bucket = 0x7fff;
  for (; bucket > 0 && high[bucket]! < remaining; bucket--) remaining -= high[bucket]!;
  return bucket;
}
