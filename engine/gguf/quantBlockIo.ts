import { floatToHalf } from "./halfFloat.js";

/** Refuses a block holding NaN or an infinity, naming the element: no quantized type can hold one. */
export function checkFiniteBlock(values: Float32Array, at: number, length: number, type: string): void {
  for (let i = at; i < at + length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`cannot quantize ${v} (element ${i}) to ${type}`);
  }
}

/** Writes `value` as a little-endian IEEE half at `at`. */
export function writeHalf(bytes: Uint8Array, at: number, value: number): void {
  const h = floatToHalf(value);
  bytes[at] = h & 0xff;
  bytes[at + 1] = h >>> 8;
}
