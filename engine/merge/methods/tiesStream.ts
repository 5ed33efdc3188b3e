import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import {
  checkSlice,
  mergeWholeSliceIfFinite,
  SliceTaskVectors,
  type HalfSliceStream,
  type MergeCursor,
  type PassStatistics,
  type ShareableMergeStream,
  type StreamedInput,
} from "./streamSlices.js";
import { tiesOptions, trimmedCount } from "./ties.js";
import { TiesSliceKernel } from "./tiesSliceKernel.js";
import type { SliceValues } from "./wasmTiesKernels.js";
import { thresholdMagnitude, TopKCutFinder, TopKTrimmer, type MagnitudeWindow } from "./topK.js";
import type { MergeParams } from "./types.js";

/**
 * TIES trims each task vector to its kᵢ largest magnitudes over the whole tensor: two statistics passes
 * find each input's cut (TopKCutFinder), then each slice's task vectors are trimmed against it, the ties
 * at the cut counted across slices, and elected and merged position by position.
 */
export class TiesStream implements ShareableMergeStream {
  private readonly finders: TopKCutFinder[];
  private cuts: { trimmers: TopKTrimmer[]; kernel: TiesSliceKernel } | undefined;
  private readonly budgets: Float64Array;
  private readonly options: SignConsensusOptions;
  private readonly taskVectors: SliceTaskVectors;
  private position = 0;
  readonly halves: HalfSliceStream | undefined;

  /**
   * `windows`, one per input (or undefined), are where a sample puts each cut (tiesMagnitudeWindows): a cut
   * that falls in its window is found by the first statistics pass alone.
   */
  constructor(
    inputs: readonly StreamedInput[],
    params: MergeParams,
    elementCount: number,
    windows?: readonly (MagnitudeWindow | undefined)[],
  ) {
    this.finders = inputs.map(
      ({ density = 1 }, i) =>
        new TopKCutFinder(elementCount, trimmedCount(density, elementCount, params), windows?.[i], true),
    );
    this.options = tiesOptions(inputs, params);
    this.taskVectors = new SliceTaskVectors(inputs.length);
    this.budgets = new Float64Array(inputs.length);
    // Both inputs' counting in WebAssembly means the module compiles here, so the two-input merge
    // (TiesSliceKernel) runs in it too: both decode halves on the way.
    this.halves =
      this.finders.length === 2 && this.finders.every((finder) => finder.countsInWasm)
        ? {
            observe: (pass, base, slices) => this.count(pass, base, slices),
            mergeIfFinite: (base, slices, into) => this.mergeInKernel(base, slices, into),
          }
        : undefined;
  }

  /** 2, or 1 once the first pass found every cut in its window, or 0 when no cut needs counting. */
  get statisticsPasses(): number {
    return Math.max(...this.finders.map((finder) => finder.countingPasses));
  }

  private get trimmers(): TopKTrimmer[] {
    return this.cutsMade().trimmers;
  }

  private cutsMade(): { trimmers: TopKTrimmer[]; kernel: TiesSliceKernel } {
    if (this.cuts === undefined) {
      const cuts = this.finders.map((finder) => finder.cut());
      this.cuts = {
        trimmers: cuts.map((cut) => new TopKTrimmer(cut)),
        kernel: new TiesSliceKernel(this.options, Float64Array.from(cuts, thresholdMagnitude)),
      };
    }
    return this.cuts;
  }

  observe(pass: number, base: Float32Array | undefined, slices: readonly Float32Array[]): void {
    this.count(pass, base, slices);
  }

  private count(pass: number, base: SliceValues | undefined, slices: readonly SliceValues[]): void {
    checkSlice(base, slices);
    for (let i = 0; i < slices.length; i++) {
      const finder = this.finders[i]!;
      if (pass >= finder.countingPasses) continue;
      finder.countDifferences(pass, base!, slices[i]!);
    }
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    const merged = this.mergeIfFinite(base, slices, into);
    if (merged !== undefined) return merged;
    const length = checkSlice(base, slices);
    const trimmers = this.trimmers;
    const vectors = this.taskVectors.prepare(length);
    for (let i = 0; i < slices.length; i++) trimmers[i]!.trimDifference(base!, slices[i]!, vectors[i]!);
    this.position += length;
    return signConsensusMerge(base!, vectors, this.options, into, this.taskVectors.workspace);
  }

  /**
   * The one-pass kernel's merge: every task vector it meets is finite, which means every input value and
   * base value is (a NaN or infinity in either makes their difference one).
   */
  mergeIfFinite(
    base: Float32Array | undefined,
    slices: readonly Float32Array[],
    into: Float32Array,
  ): Float32Array | undefined {
    return mergeWholeSliceIfFinite(base, slices, into, (...slice) => this.mergeInKernel(...slice));
  }

  /** Merges the slice into all of `into` in the one-pass kernel; false where it gives up (non-finite). */
  private mergeInKernel(
    base: SliceValues | undefined,
    slices: readonly SliceValues[],
    into: SliceValues,
  ): boolean {
    const length = checkSlice(base, slices);
    const { trimmers, kernel } = this.cutsMade();
    if (!kernel.applies) return false;
    const budgets = this.budgets;
    trimmers.forEach((trimmer, i) => (budgets[i] = trimmer.tieBudget));
    if (!kernel.merge(base!, slices, budgets, into)) return false;
    trimmers.forEach((trimmer, i) => (trimmer.tieBudget = budgets[i]!));
    this.position += length;
    return true;
  }

  splitsPass(): boolean {
    return true;
  }

  takeStatistics(pass: number): PassStatistics {
    return this.finders.map((finder) => (pass < finder.countingPasses ? finder.takeCounts(pass) : []));
  }

  addStatistics(pass: number, statistics: PassStatistics): void {
    this.finders.forEach((finder, i) => {
      if (pass < finder.countingPasses) finder.addCounts(pass, statistics[i] as Uint32Array);
    });
  }

  cursor(): MergeCursor {
    return { position: this.position, tieBudgets: this.trimmers.map((trimmer) => trimmer.tieBudget) };
  }

  seek({ position, tieBudgets }: MergeCursor): void {
    this.position = position;
    this.trimmers.forEach((trimmer, i) => (trimmer.tieBudget = tieBudgets[i]!));
  }
}
