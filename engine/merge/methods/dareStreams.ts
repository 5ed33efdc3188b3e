import { dropoutSeed, writeDroppedTaskVector } from "./dareDropout.js";
import { dareLinearInto, dareLinearScale } from "./dareLinear.js";
import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { SignConsensusKernel } from "./signConsensusKernel.js";
import {
  checkSlice,
  SliceTaskVectors,
  withValues,
  type MergeCursor,
  type PassStatistics,
  type ShareableMergeStream,
  type StreamedInput,
} from "./streamSlices.js";
import { tiesOptions } from "./ties.js";
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
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    const length = checkSlice(base, slices);
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
    const out = into.subarray(0, length);
    if (this.kernel.applies && this.kernel.merge(base!, dropped, out)) return out;
    return signConsensusMerge(base!, dropped, this.options, into, this.taskVectors.workspace);
  }
}
