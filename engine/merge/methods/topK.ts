import { WasmMagnitudeCounts, type SliceValues } from "./wasmTiesKernels.js";

/**
 * Top-k selection by magnitude in linear time, without sorting or copying the tensor, and over a
 * tensor seen piece by piece as well as whole (a streamed merge never holds the tensor).
 *
 * For non-negative IEEE floats the bit pattern orders like the value, so the k-th largest |value|
 * is found with a two-level radix select over the pattern's high and low 16 bits (sign bit cleared):
 * one pass over the values counts the high halves, a second counts the low halves of the entries in
 * the chosen high bucket.
 *
 * Ties at the threshold are resolved by position: among entries whose magnitude equals the k-th
 * largest, the ones with the lowest indices are kept, so exactly k entries survive.
 */

/**
 * Which magnitudes belong to the top k: those above the threshold, and the first `equalsToKeep` equal to it.
 */
export interface TopKCut {
  /**
   * Bit pattern of the k-th largest magnitude; -1 keeps everything, 0x7fffffff with no equals to keep
   * nothing.
   */
  thresholdBits: number;
  equalsToKeep: number;
}

/**
 * k for keeping a fraction of n entries: floor, as mergekit's int(fraction·n) (the default), or the nearest
 * count with "round". Both are taken of fraction·n in double precision, so 0.29·100 keeps 28 under floor.
 */
export function countKept(fraction: number, n: number, rule: "floor" | "round" = "floor"): number {
  return rule === "round" ? Math.round(fraction * n) : Math.floor(fraction * n);
}

/**
 * High halves (buckets) of magnitudes' bit patterns, [first, first + buckets), the k-th largest is expected
 * in (from a sample): the first pass also counts the low halves of the magnitudes in them, so when the k-th
 * does fall there, that pass alone finds the cut.
 */
export interface MagnitudeWindow {
  first: number;
  buckets: number;
}

const ABS_MASK = 0x7fffffff;
const KEEP_ALL: TopKCut = { thresholdBits: -1, equalsToKeep: 0 };
const KEEP_NONE: TopKCut = { thresholdBits: 0x7fffffff, equalsToKeep: 0 };

function wordsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * Finds the cut for the k largest of n magnitudes. Unless `countingPasses` is 0 (k is 0 or at least
 * n), show it every piece of the values in pass 0, then every piece again, in the same order, in pass 1;
 * with a window (pass 0 counting the low halves in it too), countingPasses drops to 1 once all n are
 * counted in pass 0 if the k-th largest fell inside the window, and pass 1 is not needed.
 * k may be given late (setK), as long as it is before pass 1: pass 0 does not depend on it.
 */
export class TopKCutFinder {
  private readonly high: Uint32Array;
  private low: Uint32Array | undefined;
  /** The high half of the k-th magnitude, and how many of the top k share it; set when pass 1 begins. */
  private bucket = 0;
  private remaining = 0;
  private k: number | undefined;
  /** The window's low-half counts, 0x10000 per bucket, in pass 0. */
  private windowLow: Uint32Array | undefined;
  /** Magnitudes counted in pass 0 so far (by this finder, or handed over by addCounts). */
  private counted = 0;
  /** Where countDifferences counts, when it counts in WebAssembly (the counts then live there). */
  private readonly wasm: WasmMagnitudeCounts | undefined;
  /** countDifferences' task vector, when it counts in JavaScript. */
  private scratch = new Float32Array(0);

  /**
   * `countInWasm` has countDifferences count in WebAssembly where the runtime allows (worth it for a
   * tensor streamed in slices, not for one counted once).
   */
  constructor(
    private readonly n: number,
    k?: number,
    private readonly window?: MagnitudeWindow,
    countInWasm = false,
  ) {
    this.k = k;
    this.wasm = countInWasm ? WasmMagnitudeCounts.create(window?.buckets ?? 0) : undefined;
    this.high = this.wasm?.high ?? new Uint32Array(0x8000);
    if (window !== undefined)
      this.windowLow = this.wasm?.windowLow ?? new Uint32Array(window.buckets * 0x10000);
  }

  /** Whether countDifferences counts in WebAssembly. */
  get countsInWasm(): boolean {
    return this.wasm !== undefined;
  }

  setK(k: number): void {
    if (this.low !== undefined) throw new Error("TopKCutFinder.setK() after pass 1 began");
    this.k = k;
  }

  /** 2, 1 when pass 0 found the cut in the window, or 0 when the cut keeps everything or nothing. */
  get countingPasses(): 0 | 1 | 2 {
    const k = this.requireK();
    if (k >= this.n || k <= 0) return 0;
    return this.resolvedInWindow() ? 1 : 2;
  }

  /**
   * Once pass 0 has counted all n: whether the k-th largest magnitude's bucket is in the window, whose low
   * counts then stand for pass 1's.
   */
  private resolvedInWindow(): boolean {
    if (this.low !== undefined) return this.low.buffer === this.windowLow?.buffer;
    if (this.window === undefined || this.counted !== this.n) return false;
    const { bucket, remaining } = this.kthBucket();
    const offset = bucket - this.window.first;
    if (offset < 0 || offset >= this.window.buckets) return false;
    this.bucket = bucket;
    this.remaining = remaining;
    this.low = this.windowLow!.subarray(offset * 0x10000, (offset + 1) * 0x10000);
    return true;
  }

  /** The bucket holding the k-th largest magnitude (the high counts complete), and its rank within it. */
  private kthBucket(): { bucket: number; remaining: number } {
    let remaining = this.requireK();
    let bucket = 0x7fff;
    for (; bucket > 0 && this.high[bucket]! < remaining; bucket--) remaining -= this.high[bucket]!;
    return { bucket, remaining };
  }

  private requireK(): number {
    if (this.k === undefined) throw new Error("TopKCutFinder: k is not set");
    return this.k;
  }

  count(pass: number, values: Float32Array): void {
    if (pass === 0) this.countHigh(values);
    else this.countLow(values);
  }

  /** Pass 0 with a window: the high half of every magnitude, and the low half of those in the window. */
  private countWindowed(words: Int32Array): void {
    const high = this.high;
    const windowLow = this.windowLow!;
    const first = this.window!.first;
    const buckets = this.window!.buckets;
    for (let j = 0; j < words.length; j++) {
      const a = words[j]! & ABS_MASK;
      const bucket = a >>> 16;
      high[bucket]!++;
      const offset = bucket - first;
      if (offset >>> 0 < buckets) windowLow[(offset << 16) | (a & 0xffff)]!++;
    }
    this.counted += words.length;
  }

  /** count() of the magnitudes of values − base, each difference rounded to float32 (a task vector). */
  countDifferences(pass: number, base: SliceValues, values: SliceValues): void {
    const wasm = this.wasm;
    if (wasm === undefined) {
      if (!(base instanceof Float32Array && values instanceof Float32Array))
        throw new Error("TopKCutFinder: halves are counted in WebAssembly only");
      if (this.scratch.length < base.length) this.scratch = new Float32Array(base.length);
      const scratch = this.scratch.subarray(0, base.length);
      for (let j = 0; j < base.length; j++) scratch[j] = values[j]! - base[j]!;
      this.count(pass, scratch);
      return;
    }
    if (pass !== 0) {
      this.lowCounts();
      wasm.countLow(base, values, this.bucket);
      return;
    }
    this.counted += base.length;
    if (this.window === undefined) wasm.countHigh(base, values);
    else wasm.countWindowed(base, values, this.window.first, this.window.buckets);
  }

  /**
   * count() of the variances of two inputs' values at each position (SCE's, as sce.ts' writeVariances
   * computes them), in WebAssembly (the finder must count there, without a window); returns how many are
   * not zero in pass 0.
   */
  countVariancePair(pass: number, x0: SliceValues, x1: SliceValues): number {
    const wasm = this.wasm;
    if (wasm === undefined || this.window !== undefined)
      throw new Error("TopKCutFinder: variances are counted in WebAssembly, without a window, only");
    if (pass !== 0) {
      this.lowCounts();
      wasm.countVarianceLow(x0, x1, this.bucket);
      return 0;
    }
    this.counted += x0.length;
    return wasm.countVarianceHigh(x0, x1);
  }

  private countHigh(values: Float32Array): void {
    const words = wordsOf(values);
    if (this.window !== undefined) {
      this.countWindowed(words);
      return;
    }
    const high = this.high;
    for (let j = 0; j < words.length; j++) high[(words[j]! & ABS_MASK) >>> 16]!++;
    this.counted += words.length;
  }

  /** Pass 1's counts, begun (once the high buckets are complete) on first use. */
  private lowCounts(): Uint32Array {
    if (this.low === undefined) {
      // The high buckets are complete: walk down from the largest to the one holding the k-th magnitude.
      ({ bucket: this.bucket, remaining: this.remaining } = this.kthBucket());
      this.low = this.wasm?.low ?? new Uint32Array(0x10000);
    }
    return this.low;
  }

  private countLow(values: Float32Array): void {
    const low = this.lowCounts();
    const words = wordsOf(values);
    const bucket = this.bucket;
    for (let j = 0; j < words.length; j++) {
      const a = words[j]! & ABS_MASK;
      if (a >>> 16 === bucket) low[a & 0xffff]!++;
    }
  }

  /**
   * The counts of pass `pass` so far, which this finder forgets: finders of one tensor that each counted
   * part of a pass (in different threads) add up each other's with addCounts, in any order.
   */
  takeCounts(pass: number): Uint32Array {
    if (pass === 0) {
      // The high counts, then the window's, in one array.
      const taken = new Uint32Array(0x8000 + (this.windowLow?.length ?? 0));
      taken.set(this.high);
      if (this.windowLow !== undefined) {
        taken.set(this.windowLow, 0x8000);
        this.windowLow.fill(0);
      }
      this.high.fill(0);
      this.counted = 0;
      return taken;
    }
    const low = this.lowCounts();
    const taken = low.slice();
    low.fill(0);
    return taken;
  }

  addCounts(pass: number, counts: Uint32Array): void {
    if (pass === 0) {
      const high = this.high;
      for (let j = 0; j < 0x8000; j++) {
        high[j]! += counts[j]!;
        this.counted += counts[j]!;
      }
      const windowLow = this.windowLow;
      if (windowLow !== undefined)
        for (let j = 0; j < windowLow.length; j++) windowLow[j]! += counts[0x8000 + j]!;
      return;
    }
    const into = this.lowCounts();
    for (let j = 0; j < into.length; j++) into[j]! += counts[j]!;
  }

  cut(): TopKCut {
    if (this.countingPasses === 0) return this.requireK() <= 0 ? KEEP_NONE : KEEP_ALL;
    if (this.low === undefined) throw new Error("TopKCutFinder.cut() before both counting passes");
    let remaining = this.remaining;
    let slot = 0xffff;
    for (; slot > 0 && this.low[slot]! < remaining; slot--) remaining -= this.low[slot]!;
    return { thresholdBits: (this.bucket << 16) | slot, equalsToKeep: remaining };
  }
}

/** Applies a cut to the pieces of the values in position order (the ties kept are counted across pieces). */
export class TopKTrimmer {
  private equalsLeft: number;

  constructor(private readonly cut: TopKCut) {
    this.equalsLeft = cut.equalsToKeep;
  }

  /**
   * How many more entries equal to the threshold this trimmer keeps. Setting it lets a trimmer start
   * mid-tensor, from the budget the pieces before would have left.
   */
  get tieBudget(): number {
    return this.equalsLeft;
  }

  set tieBudget(budget: number) {
    this.equalsLeft = budget;
  }

  /**
   * Writes values − base (each difference rounded to float32, a task vector) into `into`, zeroed (to +0)
   * outside the top k: trim() fused with the subtraction, one pass over the piece instead of two.
   */
  trimDifference(base: Float32Array, values: Float32Array, into: Float32Array): void {
    const words = wordsOf(into);
    const { thresholdBits } = this.cut;
    let equalsLeft = this.equalsLeft;
    for (let j = 0; j < base.length; j++) {
      into[j] = values[j]! - base[j]!;
      const word = words[j]!;
      const a = word & ABS_MASK;
      let keep = (thresholdBits - a) >> 31;
      if (a === thresholdBits) keep = equalsLeft-- > 0 ? -1 : 0;
      words[j] = word & keep;
    }
    this.equalsLeft = Math.max(0, equalsLeft);
  }

  /** Zeroes (to +0), in place, the entries of this piece outside the top k. */
  trim(values: Float32Array): void {
    const words = wordsOf(values);
    const { thresholdBits } = this.cut;
    let equalsLeft = this.equalsLeft;
    for (let j = 0; j < words.length; j++) {
      const a = words[j]! & ABS_MASK;
      // All ones where a > threshold (the difference, within 32 bits, is negative), else zero: a mask
      // instead of a branch, which random magnitudes would mispredict half the time.
      let keep = (thresholdBits - a) >> 31;
      if (a === thresholdBits) keep = equalsLeft-- > 0 ? -1 : 0;
      words[j] = words[j]! & keep;
    }
    this.equalsLeft = Math.max(0, equalsLeft);
  }

  /** Sets mask[j] to 1 for the entries of this piece in the top k, 0 for the others. */
  mark(values: Float32Array, mask: Uint8Array): void {
    const words = wordsOf(values);
    const { thresholdBits } = this.cut;
    let equalsLeft = this.equalsLeft;
    for (let j = 0; j < words.length; j++) {
      const a = words[j]! & ABS_MASK;
      mask[j] = a > thresholdBits || (a === thresholdBits && equalsLeft-- > 0) ? 1 : 0;
    }
    this.equalsLeft = Math.max(0, equalsLeft);
  }
}

/**
 * The cut's threshold as a magnitude to compare floats with: the same order as the bit patterns for
 * finite magnitudes (-1 keeps every one, Infinity none).
 */
export function thresholdMagnitude({ thresholdBits }: TopKCut): number {
  if (thresholdBits < 0) return -1;
  if (thresholdBits >= 0x7f800000) return Infinity;
  return new Float32Array(new Int32Array([thresholdBits]).buffer)[0]!;
}

function wholeTensorCut(values: Float32Array, k: number): TopKCut {
  const finder = new TopKCutFinder(values.length, k);
  for (let pass = 0; pass < finder.countingPasses; pass++) finder.count(pass, values);
  return finder.cut();
}

/** Zeroes every entry of `values` outside the k of largest magnitude (in place). */
export function keepTopKMagnitudes(values: Float32Array, k: number): void {
  new TopKTrimmer(wholeTensorCut(values, k)).trim(values);
}

/** 1 at the k positions of largest magnitude, 0 elsewhere. */
export function topKMagnitudeMask(values: Float32Array, k: number): Uint8Array {
  const mask = new Uint8Array(values.length);
  new TopKTrimmer(wholeTensorCut(values, k)).mark(values, mask);
  return mask;
}
