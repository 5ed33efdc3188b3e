import { createRandom } from "../../linalg/index.js";
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
 * The PRNG seed for one input's dropout mask on one tensor. It depends only on (seed, tensorIndex, inputIndex),
 * so a tensor's masks are the same whatever order tensors are merged in.
 */
export function dropoutSeed(context: MergeContext, inputIndex: number): number {
  const { seed, tensorIndex } = context;
  if (!Number.isSafeInteger(seed)) throw new MergeMethodError("context.seed", `must be a safe integer, got ${String(seed)}`);
  if (!Number.isSafeInteger(tensorIndex) || tensorIndex < 0) {
    throw new MergeMethodError("context.tensorIndex", `must be a non-negative integer, got ${String(tensorIndex)}`);
  }
  let h = absorb(0x2545f491, seed >>> 0);
  h = absorb(h, Math.floor(seed / 0x100000000) >>> 0);
  h = absorb(h, tensorIndex >>> 0);
  h = absorb(h, Math.floor(tensorIndex / 0x100000000) >>> 0);
  return absorb(h, inputIndex >>> 0);
}

/**
 * DARE's drop-and-rescale (Yu et al. 2023) of τ = values − base into `into`: each element is kept with
 * probability `density` (dropped with p = 1 − density) and kept ones are scaled by 1/(1 − p) = 1/density.
 * Element j is kept iff the j-th uniform draw of createRandom(seed) is < density.
 */
export function writeDroppedTaskVector(
  base: Float32Array,
  values: Float32Array,
  density: number,
  seed: number,
  into: Float32Array,
): void {
  const n = base.length;
  if (density === 1) {
    for (let j = 0; j < n; j++) into[j] = values[j]! - base[j]!;
    return;
  }
  const random = createRandom(seed);
  const rescale = 1 / density;
  for (let j = 0; j < n; j++) {
    into[j] = random.next() < density ? (values[j]! - base[j]!) * rescale : 0;
  }
}
