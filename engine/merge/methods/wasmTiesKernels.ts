import { tiesKernelsWasm } from "./tiesKernelsWasm.js";
import { WASM_PAGE_BYTES, wasmInstance, type WasmGlobal, type WasmMemory } from "./webAssembly.js";

/** tiesKernels.wat's exports; pointers are byte offsets into `memory`. */
interface TiesKernelsExports {
  memory: WasmMemory;
  budget0: WasmGlobal;
  budget1: WasmGlobal;
  energy0: WasmGlobal;
  energy1: WasmGlobal;
  selectBudget: WasmGlobal;
  decodeHalves(n: number, from: number, to: number): void;
  encodeHalves(n: number, from: number, to: number): void;
  mergePair(
    n: number,
    basePointer: number,
    firstPointer: number,
    secondPointer: number,
    outputPointer: number,
    w0: number,
    w1: number,
    t0: number,
    t1: number,
    lambda: number,
    positiveOnZero: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    e0: number,
    e1: number,
  ): number;
  addSquaredNormsPair(n: number, basePointer: number, firstPointer: number, secondPointer: number): void;
  mergeDarePair(
    n: number,
    basePointer: number,
    firstPointer: number,
    secondPointer: number,
    outputPointer: number,
    counter0: number,
    counter1: number,
    cutoff0: number,
    cutoff1: number,
    keepAll0: number,
    keepAll1: number,
    rescale0: number,
    rescale1: number,
    w0: number,
    w1: number,
    lambda: number,
    positiveOnZero: number,
    normalize: number,
  ): number;
  countHigh(n: number, basePointer: number, valuesPointer: number, high: number): void;
  countWindowed(
    n: number,
    basePointer: number,
    valuesPointer: number,
    high: number,
    window: number,
    first: number,
    buckets: number,
  ): void;
  countLow(n: number, basePointer: number, valuesPointer: number, low: number, bucket: number): void;
  countVarianceHigh(n: number, firstPointer: number, secondPointer: number, high: number): number;
  countVarianceLow(n: number, firstPointer: number, secondPointer: number, low: number, bucket: number): void;
  selectPair(n: number, basePointer: number, firstPointer: number, secondPointer: number, cut: number): void;
}

/**
 * SCE's selection of positions by the variance of two inputs: a TopKCut's threshold bits and the ties it
 * still keeps (spent as the slices go by).
 */
export interface VarianceSelection {
  thresholdBits: number;
  tieBudget: number;
}

/** Applies the selection to the chunk in regions first and second (inputs set to the base where dropped). */
function select(
  memory: KernelMemory,
  selection: VarianceSelection | undefined,
  n: number,
  [b, first, second]: readonly [number, number, number],
): void {
  if (selection === undefined) return;
  memory.exports.selectPair(
    n,
    memory.pointer(b),
    memory.pointer(first),
    memory.pointer(second),
    selection.thresholdBits,
  );
}

/** A slice's values as float32, or as the IEEE halves (F16 bit patterns) of a tensor stored in F16. */
export type SliceValues = Float32Array | Uint16Array;

export function isFloat32(values: SliceValues): values is Float32Array {
  return values instanceof Float32Array;
}

/**
 * Positions handled per call: slices longer than this go in parts. The parts' floats (a few hundred KiB)
 * stay in the core's cache between copying in, decoding and merging.
 */
const CHUNK = 1 << 14;
/** decodeHalves writes four at a time, so a region has room for three more. */
const CHUNK_FLOATS = CHUNK + 4;
const HIGH_BUCKETS = 0x8000;
const LOW_SLOTS = 0x10000;

/** One instance of the module, its memory laid out as `regions` float32 regions and then `extraBytes`. */
class KernelMemory {
  readonly exports: TiesKernelsExports;
  readonly floats: Float32Array;
  readonly halves: Uint16Array;
  /** Byte offset of the first byte after the regions. */
  readonly extraOffset: number;

  constructor(exports: TiesKernelsExports, regions: number, extraBytes: number) {
    this.exports = exports;
    // Each region holds a chunk's floats, or its halves in its first half.
    this.extraOffset = regions * CHUNK_FLOATS * 4;
    const missing = this.extraOffset + extraBytes - exports.memory.buffer.byteLength;
    if (missing > 0) exports.memory.grow(Math.ceil(missing / WASM_PAGE_BYTES));
    // The memory never grows again, so views of it stay valid.
    this.floats = new Float32Array(exports.memory.buffer);
    this.halves = new Uint16Array(exports.memory.buffer);
  }

  /**
   * Copies `count` floats of region `region` into `into` at `at`: as they are, or for halves encoded in the
   * staging region first.
   */
  store(region: number, count: number, into: SliceValues, at: number, staging: number): void {
    if (isFloat32(into)) {
      const from = this.pointer(region) / 4;
      into.set(this.floats.subarray(from, from + count), at);
      return;
    }
    this.exports.encodeHalves(count, this.pointer(region), this.pointer(staging));
    const from = this.pointer(staging) / 2;
    into.set(this.halves.subarray(from, from + count), at);
  }

  /** Byte offset of region `region`. */
  pointer(region: number): number {
    return region * CHUNK_FLOATS * 4;
  }

  /**
   * Loads the base and two inputs chunk by chunk into `regions` (as float32, through `staging`) and calls
   * `visit` with each chunk's start and length; stops after a chunk `visit` returns false for, and says
   * whether every chunk passed.
   */
  forEachChunk(
    [base, x0, x1]: readonly [SliceValues, SliceValues, SliceValues],
    regions: readonly [number, number, number],
    staging: number,
    visit: (start: number, count: number) => boolean,
  ): boolean {
    for (let start = 0; start < base.length; start += CHUNK) {
      const end = Math.min(base.length, start + CHUNK);
      this.load(base, start, end, regions[0], staging);
      this.load(x0, start, end, regions[1], staging);
      this.load(x1, start, end, regions[2], staging);
      if (!visit(start, end - start)) return false;
    }
    return true;
  }

  /**
   * Puts values [start, end) into region `region` as float32: copied, or for halves copied into the
   * region's staging area (the last region, `staging`) and decoded there.
   */
  load(values: SliceValues, start: number, end: number, region: number, staging: number): void {
    if (values instanceof Float32Array) {
      this.floats.set(values.subarray(start, end), this.pointer(region) / 4);
      return;
    }
    this.halves.set(values.subarray(start, end), this.pointer(staging) / 2);
    this.exports.decodeHalves(end - start, this.pointer(staging), this.pointer(region));
  }
}

/** What the two-input TIES kernel needs besides the slices: as TiesSliceKernel holds it. */
export interface TiesPairConstants {
  weights: readonly [number, number];
  /** The election's weights: TIES' own weights, SCE's ones. */
  electionWeights: readonly [number, number];
  thresholds: readonly [number, number];
  lambda: number;
  positiveOnZero: boolean;
  /** The agreeing weights' sum divided by, indexed by which inputs agree (bit i for input i). */
  pairDivisors: Float64Array;
}

/**
 * TiesSliceKernel's two-input merge in WebAssembly SIMD (tiesKernels.wat's mergePair), about 2.5x the
 * JavaScript loop's speed with the same result bit for bit, on float32 slices or on F16 halves decoded on
 * the way. Undefined where the runtime cannot compile it (no SIMD): the JavaScript kernel runs instead.
 */
export class WasmTiesPair {
  private static readonly regions = { base: 0, first: 1, second: 2, output: 3, staging: 4 };

  private constructor(private readonly memory: KernelMemory) {}

  static create(): WasmTiesPair | undefined {
    const exports = wasmInstance<TiesKernelsExports>(tiesKernelsWasm);
    return exports === undefined ? undefined : new WasmTiesPair(new KernelMemory(exports, 5, 0));
  }

  /**
   * tiesSliceKernel's mergePair: merges the slice into `into` (as float32, or encoded to halves as
   * engine/gguf encodes F16), spending `budgets`; false at a non-finite task vector (budgets then partly
   * spent, `into` partly written).
   */
  merge(
    base: SliceValues,
    x0: SliceValues,
    x1: SliceValues,
    budgets: Float64Array,
    into: SliceValues,
    constants: TiesPairConstants,
    selection?: VarianceSelection,
  ): boolean {
    const { memory } = this;
    const { exports } = memory;
    const { base: b, first, second, output, staging } = WasmTiesPair.regions;
    const { weights, electionWeights, thresholds, lambda, positiveOnZero, pairDivisors } = constants;
    exports.budget0.value = budgets[0]!;
    exports.budget1.value = budgets[1]!;
    exports.selectBudget.value = selection?.tieBudget ?? 0;
    const finite = memory.forEachChunk([base, x0, x1], [b, first, second], staging, (start, count) => {
      select(memory, selection, count, [b, first, second]);
      const chunkFinite =
        exports.mergePair(
          count,
          memory.pointer(b),
          memory.pointer(first),
          memory.pointer(second),
          memory.pointer(output),
          weights[0],
          weights[1],
          thresholds[0],
          thresholds[1],
          lambda,
          positiveOnZero ? 1 : 0,
          pairDivisors[0]!,
          pairDivisors[1]!,
          pairDivisors[2]!,
          pairDivisors[3]!,
          electionWeights[0],
          electionWeights[1],
        ) === 1;
      memory.store(output, count, into, start, staging);
      return chunkFinite;
    });
    budgets[0] = exports.budget0.value as number;
    budgets[1] = exports.budget1.value as number;
    if (selection !== undefined) selection.tieBudget = exports.selectBudget.value as number;
    return finite;
  }
}

/**
 * SCE's squared norms of two inputs' task vectors (sce.ts' addSquaredNorms with every position selected)
 * in WebAssembly, on float32 slices or F16 halves decoded on the way: the same sums, added in the same
 * order. Undefined where the runtime cannot compile the module.
 */
export class WasmSquaredNorms {
  private static readonly regions = { base: 0, first: 1, second: 2, staging: 3 };

  private constructor(private readonly memory: KernelMemory) {}

  static create(): WasmSquaredNorms | undefined {
    const exports = wasmInstance<TiesKernelsExports>(tiesKernelsWasm);
    return exports === undefined ? undefined : new WasmSquaredNorms(new KernelMemory(exports, 4, 0));
  }

  /**
   * Adds Σⱼ (xᵢⱼ − baseⱼ)² over the slice (over its positions `selection` selects, where given, spending its
   * ties) to energies[i], i = 0, 1.
   */
  add(
    base: SliceValues,
    x0: SliceValues,
    x1: SliceValues,
    energies: number[],
    selection?: VarianceSelection,
  ): void {
    const { memory } = this;
    const { exports } = memory;
    const { base: b, first, second, staging } = WasmSquaredNorms.regions;
    exports.energy0.value = energies[0]!;
    exports.energy1.value = energies[1]!;
    exports.selectBudget.value = selection?.tieBudget ?? 0;
    memory.forEachChunk([base, x0, x1], [b, first, second], staging, (_start, count) => {
      select(memory, selection, count, [b, first, second]);
      exports.addSquaredNormsPair(count, memory.pointer(b), memory.pointer(first), memory.pointer(second));
      return true;
    });
    energies[0] = exports.energy0.value as number;
    energies[1] = exports.energy1.value as number;
    if (selection !== undefined) selection.tieBudget = exports.selectBudget.value as number;
  }
}

/** dare_ties' constants for two inputs: each input's dropout, and the election's weights and options. */
export interface DareTiesPairConstants {
  seeds: readonly [number, number];
  densities: readonly [number, number];
  weights: readonly [number, number];
  lambda: number;
  positiveOnZero: boolean;
  normalize: boolean;
}

/** createRandom's (mulberry32's) counter step, as dareDropout.ts draws with it. */
const COUNTER_STEP = 0x6d2b79f5;

/**
 * dare_ties for two inputs in WebAssembly SIMD (tiesKernels.wat's mergeDarePair): DARE's dropout drawn as
 * dareDropout.ts draws it, then SignConsensusKernel's election and merge, the same bytes out, on float32
 * slices or F16 halves (decoded on the way, and encoded out when `into` is halves). Undefined where the
 * runtime cannot compile it.
 */
export class WasmDareTiesPair {
  private static readonly regions = { base: 0, first: 1, second: 2, output: 3, staging: 4 };

  private constructor(private readonly memory: KernelMemory) {}

  static create(): WasmDareTiesPair | undefined {
    const exports = wasmInstance<TiesKernelsExports>(tiesKernelsWasm);
    return exports === undefined ? undefined : new WasmDareTiesPair(new KernelMemory(exports, 5, 0));
  }

  /**
   * Merges the slice at tensor position `position` into `into`; false where a dropped value is subnormal
   * or not finite (the JavaScript kernel gives up there too), `into` then partly written.
   */
  merge(
    base: SliceValues,
    x0: SliceValues,
    x1: SliceValues,
    into: SliceValues,
    position: number,
    constants: DareTiesPairConstants,
  ): boolean {
    const { memory } = this;
    const { exports, floats } = memory;
    const { base: b, first, second, output, staging } = WasmDareTiesPair.regions;
    const { seeds, densities, weights, lambda, positiveOnZero, normalize } = constants;
    // A draw u is below density·2^32 exactly where it is below that number's ceiling; 2^32 keeps all.
    const cutoffs = densities.map((density) => Math.ceil(density * 4294967296));
    return memory.forEachChunk([base, x0, x1], [b, first, second], staging, (start, count) => {
      // The kernel goes four at a time: zeros past the end keep it from giving up on stale values.
      for (const region of [b, first, second]) {
        const at = memory.pointer(region) / 4 + count;
        floats.fill(0, at, at + 4);
      }
      const counter = (i: 0 | 1): number => (seeds[i] + Math.imul(position + start, COUNTER_STEP)) | 0;
      const finite = exports.mergeDarePair(
        count,
        memory.pointer(b),
        memory.pointer(first),
        memory.pointer(second),
        memory.pointer(output),
        counter(0),
        counter(1),
        cutoffs[0]! | 0,
        cutoffs[1]! | 0,
        cutoffs[0]! >= 4294967296 ? 1 : 0,
        cutoffs[1]! >= 4294967296 ? 1 : 0,
        densities[0] === 1 ? 1 : 1 / densities[0],
        densities[1] === 1 ? 1 : 1 / densities[1],
        weights[0],
        weights[1],
        lambda,
        positiveOnZero ? 1 : 0,
        normalize ? 1 : 0,
      );
      if (finite !== 1) return false;
      memory.store(output, count, into, start, staging);
      return true;
    });
  }
}

/**
 * One TopKCutFinder's counts, kept in the memory of its own instance of tiesKernels.wat, which counts a
 * slice's task-vector magnitudes about 3x as fast as the JavaScript loops, with the same counts, from
 * float32 slices or F16 halves. `high`, `low` and `windowLow` are views of that memory, for the finder to
 * read, add to and clear. Undefined where the runtime cannot compile the module: the finder counts in
 * JavaScript.
 */
export class WasmMagnitudeCounts {
  private static readonly regions = { base: 0, values: 1, staging: 2 };
  readonly high: Uint32Array;
  readonly low: Uint32Array;
  readonly windowLow: Uint32Array;

  private constructor(
    private readonly memory: KernelMemory,
    windowBuckets: number,
  ) {
    const buffer = memory.exports.memory.buffer;
    const highOffset = memory.extraOffset;
    const lowOffset = highOffset + HIGH_BUCKETS * 4;
    this.high = new Uint32Array(buffer, highOffset, HIGH_BUCKETS);
    this.low = new Uint32Array(buffer, lowOffset, LOW_SLOTS);
    this.windowLow = new Uint32Array(buffer, lowOffset + LOW_SLOTS * 4, windowBuckets * LOW_SLOTS);
  }

  static create(windowBuckets: number): WasmMagnitudeCounts | undefined {
    const exports = wasmInstance<TiesKernelsExports>(tiesKernelsWasm);
    if (exports === undefined) return undefined;
    const countBytes = (HIGH_BUCKETS + LOW_SLOTS + windowBuckets * LOW_SLOTS) * 4;
    return new WasmMagnitudeCounts(new KernelMemory(exports, 3, countBytes), windowBuckets);
  }

  /** Pass 0: every magnitude's high half into `high`. */
  countHigh(base: SliceValues, values: SliceValues): void {
    this.forEachChunk(base, values, (n, basePointer, valuesPointer, exports) =>
      exports.countHigh(n, basePointer, valuesPointer, this.high.byteOffset),
    );
  }

  /** Pass 0 with a window: high halves, and the low halves of those in buckets [first, first + buckets). */
  countWindowed(base: SliceValues, values: SliceValues, first: number, buckets: number): void {
    this.forEachChunk(base, values, (n, basePointer, valuesPointer, exports) =>
      exports.countWindowed(
        n,
        basePointer,
        valuesPointer,
        this.high.byteOffset,
        this.windowLow.byteOffset,
        first,
        buckets,
      ),
    );
  }

  /** Pass 1: the low halves of the magnitudes whose high half is `bucket`, into `low`. */
  countLow(base: SliceValues, values: SliceValues, bucket: number): void {
    this.forEachChunk(base, values, (n, basePointer, valuesPointer, exports) =>
      exports.countLow(n, basePointer, valuesPointer, this.low.byteOffset, bucket),
    );
  }

  /** SCE's pass 0 for two inputs: their positions' variances' high halves; returns how many are not 0. */
  countVarianceHigh(x0: SliceValues, x1: SliceValues): number {
    let positive = 0;
    this.forEachChunk(x0, x1, (n, p0, p1, exports) => {
      positive += exports.countVarianceHigh(n, p0, p1, this.high.byteOffset);
    });
    return positive;
  }

  /** SCE's pass 1 for two inputs: the low halves of the variances whose high half is `bucket`. */
  countVarianceLow(x0: SliceValues, x1: SliceValues, bucket: number): void {
    this.forEachChunk(x0, x1, (n, p0, p1, exports) =>
      exports.countVarianceLow(n, p0, p1, this.low.byteOffset, bucket),
    );
  }

  private forEachChunk(
    base: SliceValues,
    values: SliceValues,
    count: (n: number, basePointer: number, valuesPointer: number, exports: TiesKernelsExports) => void,
  ): void {
    const { memory } = this;
    const { base: b, values: v, staging } = WasmMagnitudeCounts.regions;
    for (let start = 0; start < base.length; start += CHUNK) {
      const end = Math.min(base.length, start + CHUNK);
      memory.load(base, start, end, b, staging);
      memory.load(values, start, end, v, staging);
      count(end - start, memory.pointer(b), memory.pointer(v), memory.exports);
    }
  }
}
