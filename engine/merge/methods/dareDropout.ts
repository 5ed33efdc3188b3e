import { MergeMethodError } from "./mergeMethodError.js";
import type { MergeContext } from "./types.js";

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function absorb(h: number, word: number): number {
  return mix32((h ^ word) + 0x9e3779b9);
}

/**
 * The PRNG seed for one input's dropout mask on one tensor. It depends only on (seed, tensorIndex,
 * inputIndex), so a tensor's masks are the same whatever order tensors are merged in.
 */
export function dropoutSeed(context: MergeContext, inputIndex: number): number {
  const { seed, tensorIndex } = context;
  if (!Number.isSafeInteger(seed))
    throw new MergeMethodError("context.seed", `must be a safe integer, got ${String(seed)}`);
  if (!Number.isSafeInteger(tensorIndex) || tensorIndex < 0) {
    throw new MergeMethodError(
      "context.tensorIndex",
      `must be a non-negative integer, got ${String(tensorIndex)}`,
    );
  }
  let h = absorb(0x2545f491, seed >>> 0);
  h = absorb(h, Math.floor(seed / 0x100000000) >>> 0);
  h = absorb(h, tensorIndex >>> 0);
  h = absorb(h, Math.floor(tensorIndex / 0x100000000) >>> 0);
  return absorb(h, inputIndex >>> 0);
}

/** The increment of createRandom's (mulberry32's) 32-bit counter. */
const COUNTER_STEP = 0x6d2b79f5;

/**
 * DARE's drop-and-rescale (Yu et al. 2023) of τ = values − base into `into`: each element is kept with
 * probability `density` (dropped with p = 1 − density) and kept ones are scaled by 1/(1 − p) = 1/density.
 * Element j of the tensor is kept iff the j-th uniform draw of createRandom(seed) is < density.
 * `firstPosition` is the tensor position of values[0], so a tensor merged piece by piece draws the same
 * mask as when merged whole: createRandom's draws are a counter passed through a mixer, so the j-th is
 * computed here directly (test/engine/merge-streaming.test.ts checks they equal createRandom's).
 */
export function writeDroppedTaskVector(
  base: Float32Array,
  values: Float32Array,
  density: number,
  seed: number,
  into: Float32Array,
  firstPosition = 0,
): void {
  const n = base.length;
  if (density === 1) {
    for (let j = 0; j < n; j++) into[j] = values[j]! - base[j]!;
    return;
  }
  const rescale = 1 / density;
  const words = new Int32Array(into.buffer, into.byteOffset, n);
  // The draw u/2^32 is below density exactly where u is below density·2^32 (exact: a power-of-two scale).
  const cutoff = density * 4294967296;
  // The counter before the draw for firstPosition (wrapping at 2^32, as createRandom's does).
  let counter = (seed + Math.imul(firstPosition, COUNTER_STEP)) | 0;
  for (let j = 0; j < n; j++) {
    counter = (counter + COUNTER_STEP) | 0;
    let t = Math.imul(counter ^ (counter >>> 15), counter | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const draw = (t ^ (t >>> 14)) >>> 0;
    // All ones where the element is kept (draw − cutoff in [−2^32, 0) floors to −1 in units of 2^32),
    // all zeros where it is dropped (to +0): a mask, as a branch on a random draw is mispredicted half
    // the time.
    const keep = Math.floor((draw - cutoff) * 2.3283064365386963e-10) | 0;
    into[j] = (values[j]! - base[j]!) * rescale;
    words[j] = words[j]! & keep;
  }
}
