import {
  addSquaredNorms,
  sceOptions,
  selectedCount,
  writeSelectedTaskVector,
  writeVariances,
} from "./sce.js";
import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { SignConsensusKernel } from "./signConsensusKernel.js";
import {
  checkSlice,
  mergeWholeSliceIfFinite,
  SliceTaskVectors,
  type HalfSliceStream,
  type MergeCursor,
  type PassStatistics,
  type ShareableMergeStream,
} from "./streamSlices.js";
import { TiesSliceKernel } from "./tiesSliceKernel.js";
import { TopKCutFinder, TopKTrimmer, type TopKCut } from "./topK.js";
import type { MergeParams } from "./types.js";
import { WasmSquaredNorms, type SliceValues, type VarianceSelection } from "./wasmTiesKernels.js";

/** A cut no finite magnitude is at or below: TiesSliceKernel keeps every task vector value. */
const KEEP_ALL = Float64Array.of(-1, -1);

/**
 * SCE: with selectTopK < 1, two statistics passes find the cut of the positions' variances (the count
 * kept depends on how many are positive, known after the first), a third sums each input's squared
 * norm over the selected positions; then slices are selected, elected and merged. With selectTopK 1
 * only the squared norms need a pass. For two inputs every pass runs in WebAssembly, on F16 halves as
 * stored where they are: the variances' counting, the selection, the norms, and the merge (TIES' kernel
 * with nothing trimmed, electing by the plain sum, on inputs set to the base where not selected).
 */
export class SceStream implements ShareableMergeStream {
  readonly statisticsPasses: number;
  private readonly finder: TopKCutFinder | undefined;
  private readonly fraction: number;
  /**
   * Positions whose variance is positive, counted in pass 0; the cut keeps floor(fraction · positive) (or
   * round, by params.keptCount).
   */
  private positive = 0;
  private countKept = false;
  private readonly energies: number[];
  private cut: TopKCut | undefined;
  /** The selection of the current pass: its ties at the cut are counted from the tensor's start. */
  private selection: { pass: number; trimmer: TopKTrimmer } | undefined;
  private options: SignConsensusOptions | undefined;
  private kernel: SignConsensusKernel | undefined;
  private variances = new Float32Array(0);
  private selected = new Uint8Array(0);
  private readonly taskVectors: SliceTaskVectors;
  private position = 0;
  /** Two inputs: every pass in WebAssembly. */
  private readonly pair: { norms: WasmSquaredNorms; budgets: Float64Array } | undefined;
  private pairKernel: TiesSliceKernel | undefined;
  readonly halves: HalfSliceStream | undefined;

  constructor(
    inputCount: number,
    private readonly params: MergeParams,
    elementCount: number,
  ) {
    this.fraction = params.selectTopK ?? 1;
    const two = inputCount === 2;
    this.finder = this.fraction < 1 ? new TopKCutFinder(elementCount, undefined, undefined, two) : undefined;
    this.statisticsPasses = this.finder ? 3 : 1;
    this.energies = new Array<number>(inputCount).fill(0);
    this.taskVectors = new SliceTaskVectors(inputCount);
    const norms =
      two && (this.finder === undefined || this.finder.countsInWasm) ? WasmSquaredNorms.create() : undefined;
    this.pair = norms === undefined ? undefined : { norms, budgets: new Float64Array(2) };
    this.halves =
      this.pair === undefined
        ? undefined
        : {
            observe: (pass, base, slices) => this.observePair(pass, base, slices),
            mergeIfFinite: (base, slices, into) => this.mergeInKernel(base, slices, into),
          };
  }

  /** observe() for two inputs, in WebAssembly. */
  private observePair(pass: number, base: SliceValues | undefined, slices: readonly SliceValues[]): void {
    checkSlice(base, slices);
    const [x0, x1] = slices as [SliceValues, SliceValues];
    const finder = this.finder;
    if (finder !== undefined && pass === 0) {
      this.positive += finder.countVariancePair(0, x0, x1);
    } else if (finder !== undefined && pass === 1) {
      this.keepCountSet(finder);
      if (finder.countingPasses === 2) finder.countVariancePair(1, x0, x1);
    } else {
      const selection = this.pairSelection(pass);
      this.pair!.norms.add(base!, x0, x1, this.energies, selection);
      if (selection !== undefined) this.selectionTrimmer(this.finder!, pass).tieBudget = selection.tieBudget;
    }
  }

  /** Pass `pass`'s selection where positions are selected by variance, as the kernels take it. */
  private pairSelection(pass: number): VarianceSelection | undefined {
    if (this.finder === undefined) return undefined;
    const trimmer = this.selectionTrimmer(this.finder, pass);
    return { thresholdBits: this.cut!.thresholdBits, tieBudget: trimmer.tieBudget };
  }

  /**
   * Merges the slice into all of `into` with TIES' two-input kernel, weighted by the norms' shares and
   * electing by the plain sum; false (nothing counted) where it gives up on a non-finite task vector.
   */
  private mergeInKernel(
    base: SliceValues | undefined,
    slices: readonly SliceValues[],
    into: SliceValues,
  ): boolean {
    const length = checkSlice(base, slices);
    if (this.pair === undefined) return false;
    this.options ??= sceOptions(this.energies, this.params);
    this.pairKernel ??= new TiesSliceKernel(this.options, KEEP_ALL);
    if (!this.pairKernel.applies) return false;
    const selection = this.pairSelection(this.statisticsPasses);
    if (!this.pairKernel.merge(base!, slices, this.pair.budgets, into, selection)) return false;
    if (selection !== undefined)
      this.selectionTrimmer(this.finder!, this.statisticsPasses).tieBudget = selection.tieBudget;
    this.position += length;
    return true;
  }

  mergeIfFinite(
    base: Float32Array | undefined,
    slices: readonly Float32Array[],
    into: Float32Array,
  ): Float32Array | undefined {
    return mergeWholeSliceIfFinite(base, slices, into, (...slice) => this.mergeInKernel(...slice));
  }

  /** The slice's variances, in scratch space; returns how many are positive too. */
  private variancesOf(slices: readonly Float32Array[], length: number): [Float32Array, number] {
    if (this.variances.length < length) this.variances = new Float32Array(length);
    const variances = this.variances.subarray(0, length);
    return [variances, writeVariances(slices, variances)];
  }

  /** The selection of pass `pass` (the merging pass is statisticsPasses), begun at the tensor's start. */
  private selectionTrimmer(finder: TopKCutFinder, pass: number): TopKTrimmer {
    this.cut ??= finder.cut();
    if (this.selection?.pass !== pass) this.selection = { pass, trimmer: new TopKTrimmer(this.cut) };
    return this.selection.trimmer;
  }

  /** The slice's selection mask, or undefined when every position is selected. */
  private selectionOf(pass: number, slices: readonly Float32Array[], length: number): Uint8Array | undefined {
    if (this.finder === undefined) return undefined;
    const trimmer = this.selectionTrimmer(this.finder, pass);
    if (this.selected.length < length) this.selected = new Uint8Array(length);
    const selected = this.selected.subarray(0, length);
    trimmer.mark(this.variancesOf(slices, length)[0], selected);
    return selected;
  }

  /** Pass 1 keeps a count of the positions pass 0 found positive, known once pass 0 is complete. */
  private keepCountSet(finder: TopKCutFinder): void {
    if (this.countKept) return;
    finder.setK(selectedCount(this.fraction, this.positive, this.params));
    this.countKept = true;
  }

  observe(pass: number, base: Float32Array | undefined, slices: readonly Float32Array[]): void {
    if (this.pair !== undefined) {
      this.observePair(pass, base, slices);
      return;
    }
    const length = checkSlice(base, slices);
    const finder = this.finder;
    if (finder !== undefined && pass === 0) {
      const [variances, positive] = this.variancesOf(slices, length);
      this.positive += positive;
      finder.count(0, variances);
    } else if (finder !== undefined && pass === 1) {
      this.keepCountSet(finder);
      if (finder.countingPasses === 2) finder.count(1, this.variancesOf(slices, length)[0]);
    } else {
      addSquaredNorms(base!, slices, this.selectionOf(pass, slices, length), this.energies);
    }
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    const merged = this.mergeIfFinite(base, slices, into);
    if (merged !== undefined) return merged;
    const length = checkSlice(base, slices);
    this.options ??= sceOptions(this.energies, this.params);
    this.kernel ??= new SignConsensusKernel(this.options);
    const selected = this.selectionOf(this.statisticsPasses, slices, length);
    const vectors = this.taskVectors.prepare(length);
    for (let i = 0; i < slices.length; i++) writeSelectedTaskVector(base!, slices[i]!, selected, vectors[i]!);
    this.position += length;
    const out = into.subarray(0, length);
    if (this.kernel.applies && this.kernel.merge(base!, vectors, out)) return out;
    return signConsensusMerge(base!, vectors, this.options, into, this.taskVectors.workspace);
  }

  /** The norms' pass sums in position order (as sceMerge does), so it is not split. */
  splitsPass(pass: number): boolean {
    return pass < this.statisticsPasses - 1;
  }

  takeStatistics(pass: number): PassStatistics {
    const finder = this.finder;
    if (finder !== undefined && pass === 0) {
      const positive = this.positive;
      this.positive = 0;
      return [finder.takeCounts(0), positive];
    }
    if (finder !== undefined && pass === 1) {
      this.keepCountSet(finder);
      return finder.countingPasses === 2 ? [finder.takeCounts(1)] : [];
    }
    const energies = [...this.energies];
    this.energies.fill(0);
    return [energies];
  }

  addStatistics(pass: number, statistics: PassStatistics): void {
    const finder = this.finder;
    if (finder !== undefined && pass === 0) {
      finder.addCounts(0, statistics[0] as Uint32Array);
      this.positive += statistics[1] as number;
    } else if (finder !== undefined && pass === 1) {
      this.keepCountSet(finder);
      if (finder.countingPasses === 2) finder.addCounts(1, statistics[0] as Uint32Array);
    } else {
      (statistics[0] as number[]).forEach((energy, i) => (this.energies[i]! += energy));
    }
  }

  cursor(): MergeCursor {
    const finder = this.finder;
    const tieBudgets =
      finder === undefined ? [] : [this.selectionTrimmer(finder, this.statisticsPasses).tieBudget];
    return { position: this.position, tieBudgets };
  }

  seek({ position, tieBudgets }: MergeCursor): void {
    this.position = position;
    const finder = this.finder;
    if (finder !== undefined) this.selectionTrimmer(finder, this.statisticsPasses).tieBudget = tieBudgets[0]!;
  }
}
