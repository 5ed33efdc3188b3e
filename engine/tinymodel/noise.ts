import { createRandom } from "../linalg/random.js";

/**
 * Fills (or adds to) `values` with uniform noise of standard deviation `std`, seeded by the seed and
 * the tensor's name, so every tensor's noise is reproducible on its own and differs from the others'.
 */
export function fillUniformNoise(
  values: Float32Array,
  seed: number,
  tensorName: string,
  std: number,
  add = false,
): void {
  const random = createRandom((seed ^ hashName(tensorName)) >>> 0);
  const halfWidth = std * Math.sqrt(3);
  for (let i = 0; i < values.length; i++) {
    const sample = (random.next() * 2 - 1) * halfWidth;
    values[i] = add ? values[i]! + sample : sample;
  }
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of a name. */
export function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
