/** τ = values − base, each difference rounded to float32. */
export function writeTaskVector(base: Float32Array, values: Float32Array, into: Float32Array): void {
  for (let j = 0; j < base.length; j++) into[j] = values[j]! - base[j]!;
}
