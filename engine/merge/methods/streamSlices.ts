import { MergeMethodError } from "./mergeMethodError.js";
import { signConsensusWorkspace, type SignConsensusWorkspace } from "./signConsensus.js";
import type { MergeInput } from "./types.js";

/** An input of a streamed merge: its weight and density; its values come slice by slice. */
export type StreamedInput = Omit<MergeInput, "values">;

/**
 * One tensor merged slice by slice: the caller shows it the tensor's consecutive slices in position
 * order, first once per statistics pass (observe), then once more to merge them (merge). Every slice
 * has the same length in the base and in each input. The result equals mergeTensor on the whole tensor,
 * bit for bit.
 */
export interface TensorMergeStream {
  /**
   * Passes over the whole tensor that only gather statistics, before the merging one (ties 2, sce 1 or 3, the
   * others 0).
   */
  readonly statisticsPasses: number;
  observe(pass: number, base: Float32Array | undefined, inputs: readonly Float32Array[]): void;
  /** Merges the next slice into `into` (at least the slice's length) and returns the filled part. */
  merge(base: Float32Array | undefined, inputs: readonly Float32Array[], into: Float32Array): Float32Array;
  /**
   * merge(), where it can tell on the way that every value of the slice (the base's and each input's) is
   * finite; otherwise undefined, with the stream as before the call and `into` to be ignored. Lets a
   * caller that must refuse non-finite inputs skip its own pass over them.
   */
  mergeIfFinite?(
    base: Float32Array | undefined,
    inputs: readonly Float32Array[],
    into: Float32Array,
  ): Float32Array | undefined;
  /**
   * Where the stream can take them: observe() and mergeIfFinite() on the IEEE halves of tensors stored in
   * F16 (base and inputs), as stored, so the caller need not decode them. The result is the same.
   */
  readonly halves?: HalfSliceStream;
}

/**
 * TensorMergeStream's observe and mergeIfFinite on F16 slices' halves (their bit patterns). The merged slice
 * goes into all of `into`: floats, or halves encoded as engine/gguf encodes F16. False where the stream
 * gives up (a non-finite value), with the stream as before the call.
 */
export interface HalfSliceStream {
  observe(pass: number, base: Uint16Array, inputs: readonly Uint16Array[]): void;
  mergeIfFinite(base: Uint16Array, inputs: readonly Uint16Array[], into: Float32Array | Uint16Array): boolean;
}

/**
 * Where a merging pass stands: the tensor position of the next slice, and for each top-k cut the stream
 * applies, how many more entries equal to its threshold it keeps (ties are kept lowest position first).
 */
export interface MergeCursor {
  position: number;
  tieBudgets: number[];
}

/** A pass's statistics as a copy of a stream hands them to another (structured-cloneable). */
export type PassStatistics = (Uint32Array | number[] | number)[];

/**
 * A stream whose copies, one per thread, can share a tensor's work (parallel/splitBlockMerger.ts). Each
 * copy sees part of each pass; the statistics of a pass are counts or sums that copies add up; and the
 * merging pass can start anywhere given the cursor the slices before it would have left.
 */
export interface ShareableMergeStream extends TensorMergeStream {
  /** Whether copies may split statistics pass `pass`; one whose result depends on order stays on one copy. */
  splitsPass(pass: number): boolean;
  /** This copy's statistics of pass `pass` so far, which it forgets. */
  takeStatistics(pass: number): PassStatistics;
  /** Adds statistics of pass `pass` another copy took (or this one, to take them back). */
  addStatistics(pass: number, statistics: PassStatistics): void;
  cursor(): MergeCursor;
  /** Continues the merging pass from `cursor`; the next merge() gets the slice at cursor.position. */
  seek(cursor: MergeCursor): void;
}

export function isShareable(stream: TensorMergeStream): stream is ShareableMergeStream {
  return "seek" in stream;
}

/** The inputs with this slice's values. */
export function withValues(inputs: readonly StreamedInput[], slices: readonly Float32Array[]): MergeInput[] {
  return inputs.map((input, i) => ({ ...input, values: slices[i]! }));
}

/**
 * mergeIfFinite for a stream whose kernel merges a whole slice at once: the merged values in the start of
 * `into`, or undefined where `merge` gave up (a value that is not finite).
 */
export function mergeWholeSliceIfFinite(
  base: Float32Array | undefined,
  slices: readonly Float32Array[],
  into: Float32Array,
  merge: (base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array) => boolean,
): Float32Array | undefined {
  const out = into.subarray(0, checkSlice(base, slices));
  return merge(base, slices, out) ? out : undefined;
}

/** The slice's length, after checking the base and every input have it. */
export function checkSlice(
  base: Float32Array | Uint16Array | undefined,
  slices: readonly (Float32Array | Uint16Array)[],
): number {
  const length = base?.length ?? slices[0]!.length;
  slices.forEach((slice, i) => {
    if (slice.length !== length)
      throw new MergeMethodError(
        `inputs[${i}]`,
        `slice of ${slice.length} elements where the others have ${length}`,
      );
  });
  return length;
}

/**
 * The slice's task vectors of a sign-consensus stream, one buffer per input, computed once per slice
 * and handed to signConsensusMerge, which reads them in place.
 */
export class SliceTaskVectors {
  private buffers: Float32Array[] = [];
  private current: Float32Array[] = [];
  /** Scratch for signConsensusMerge, as long as the buffers. */
  workspace: SignConsensusWorkspace = signConsensusWorkspace(0);

  constructor(private readonly count: number) {}

  /** Buffers for a slice of `length` positions, which the caller fills. */
  prepare(length: number): Float32Array[] {
    if ((this.buffers[0]?.length ?? -1) < length) {
      this.buffers = Array.from({ length: this.count }, () => new Float32Array(length));
      this.workspace = signConsensusWorkspace(length);
    }
    if (this.current[0]?.length !== length)
      this.current = this.buffers.map((buffer) => buffer.subarray(0, length));
    return this.current;
  }
}
