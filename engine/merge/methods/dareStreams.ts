import { dropoutSeed, writeDroppedTaskVector } from "./dareDropout.js";
import { dareLinearInto, dareLinearScale } from "./dareLinear.js";
import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { SignConsensusKernel } from "./signConsensusKernel.js";
import {
  checkSlice,
  SliceTaskVectors,
  withValues,
  type HalfSliceStream,
  type MergeCursor,
  type PassStatistics,
  type ShareableMergeStream,
  type StreamedInput,
} from "./streamSlices.js";
import { tiesOptions } from "./ties.js";
import { WasmDareTiesPair, type DareTiesPairConstants, type SliceValues } from "./wasmTiesKernels.js";
import type { MergeContext, MergeParams } from "./types.js";

// DARE's dropout mask is drawn per tensor position (see writeDroppedTaskVector), so a slice needs only
// to know where it starts: no statistics passes, and copies in several threads need only their position.

/** A stream with no statistics passes whose merging pass depends on nothing but the position. */
abstract class PositionedStream implements ShareableMergeStream {
  readonly statisticsPasses = 0;
  protected position = 0;

  abstract merge(
    base: Float32Array | undefined,
    inputs: readonly Float32Array[],
    into: Float32Array,
  ): Float32Array;

  observe(): void {}

  splitsPass(): boolean {
    return true;
  }

  takeStatistics(): PassStatistics {
    return [];
  }

  addStatistics(): void {}

  cursor(): MergeCursor {
    return { position: this.position, tieBudgets: [] };
  }

  seek(cursor: MergeCursor): void {
    this.position = cursor.position;
  }
}

/** dare_linear: each slice's dropped task vectors summed with their weights onto the base. */
export class DareLinearStream extends PositionedStream {
  private readonly seeds: number[];
  private readonly scale: number;
  private dropped = new Float32Array(0);

  constructor(
    private readonly inputs: readonly StreamedInput[],
    params: MergeParams,
    context: MergeContext,
  ) {
    super();
    this.seeds = inputs.map((_, i) => dropoutSeed(context, i));
    this.scale = dareLinearScale(inputs, params);
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    const length = checkSlice(base, slices);
    if (this.dropped.length < length) this.dropped = new Float32Array(length);
    const merged = dareLinearInto(
      base!,
      withValues(this.inputs, slices),
      this.scale,
      this.seeds,
      this.position,
      this.dropped,
      into,
    );
    this.position += length;
    return merged;
  }
}

/** dare_ties: each slice's dropped task vectors (drawn at their tensor positions), elected and merged. */
export class DareTiesStream extends PositionedStream {
  private readonly seeds: number[];
  private readonly options: SignConsensusOptions;
  private readonly kernel: SignConsensusKernel;
  private readonly taskVectors: SliceTaskVectors;
  /** Two inputs' dropout, election and merge in WebAssembly, where it compiles and the kernel applies. */
  private readonly wasm: { pair: WasmDareTiesPair; constants: DareTiesPairConstants } | undefined;
  readonly halves: HalfSliceStream | undefined;

  constructor(
    private readonly inputs: readonly StreamedInput[],
    params: MergeParams,
    context: MergeContext,
  ) {
    super();
    this.seeds = inputs.map((_, i) => dropoutSeed(context, i));
    this.options = tiesOptions(inputs, params, false);
    this.kernel = new SignConsensusKernel(this.options);
    this.taskVectors = new SliceTaskVectors(inputs.length);
    const pair = inputs.length === 2 && this.kernel.applies ? WasmDareTiesPair.create() : undefined;
    const { weights, lambda, normalize, zeroVote, electionWeights } = this.options;
    this.wasm =
      pair && electionWeights === undefined
        ? {
            pair,
            constants: {
              seeds: [this.seeds[0]!, this.seeds[1]!],
              densities: [inputs[0]!.density ?? 1, inputs[1]!.density ?? 1],
              weights: [weights[0]!, weights[1]!],
              lambda,
              normalize,
              positiveOnZero: (zeroVote ?? "positive") === "positive",
            },
          }
        : undefined;
    this.halves = this.wasm && {
      observe: () => {},
      mergeIfFinite: (base, slices, into) => this.mergeInWasm(base, slices, into),
    };
  }

  /** The slice merged in WebAssembly into all of `into`; false where it gives up (or is not there). */
  private mergeInWasm(
    base: SliceValues | undefined,
    slices: readonly SliceValues[],
    into: SliceValues,
  ): boolean {
    const length = checkSlice(base, slices);
    const wasm = this.wasm;
    if (wasm === undefined || base === undefined) return false;
    if (!wasm.pair.merge(base, slices[0]!, slices[1]!, into, this.position, wasm.constants)) return false;
    this.position += length;
    return true;
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    const length = checkSlice(base, slices);
    const out = into.subarray(0, length);
    if (this.mergeInWasm(base, slices, out)) return out;
    const dropped = this.taskVectors.prepare(length);
    for (let i = 0; i < slices.length; i++) {
      writeDroppedTaskVector(
        base!,
        slices[i]!,
        this.inputs[i]!.density ?? 1,
        this.seeds[i]!,
        dropped[i]!,
        this.position,
      );
    }
    this.position += length;
    if (this.kernel.applies && this.kernel.merge(base!, dropped, out)) return out;
    return signConsensusMerge(base!, dropped, this.options, into, this.taskVectors.workspace);
  }
}
