import {
  addSquaredNorms,
  sceOptions,
  selectedCount,
  writeSelectedTaskVector,
  writeVariances,
} from "./sce.js";
import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { checkSlice, SliceTaskVectors, type TensorMergeStream } from "./streamSlices.js";
import { TopKCutFinder, TopKTrimmer, type TopKCut } from "./topK.js";
import type { MergeParams } from "./types.js";

/**
 * SCE: with selectTopK < 1, two statistics passes find the cut of the positions' variances (the count
 * kept depends on how many are positive, known after the first), a third sums each input's squared
 * norm over the selected positions; then slices are selected, elected and merged. With selectTopK 1
 * only the squared norms need a pass.
 */
export class SceStream implements TensorMergeStream {
  readonly statisticsPasses: number;
  private readonly finder: TopKCutFinder | undefined;
  private readonly fraction: number;
  /** Positions whose variance is positive, counted in pass 0; the cut keeps round(fraction · positive). */
  private positive = 0;
  private countKept = false;
  private readonly energies: number[];
  private cut: TopKCut | undefined;
  /** The selection of the current pass: its ties at the cut are counted from the tensor's start. */
  private selection: { pass: number; trimmer: TopKTrimmer } | undefined;
  private options: SignConsensusOptions | undefined;
  private variances = new Float32Array(0);
  private selected = new Uint8Array(0);
  private readonly taskVectors: SliceTaskVectors;

  constructor(
    inputCount: number,
    private readonly params: MergeParams,
    elementCount: number,
  ) {
    this.fraction = params.selectTopK ?? 1;
    this.finder = this.fraction < 1 ? new TopKCutFinder(elementCount) : undefined;
    this.statisticsPasses = this.finder ? 3 : 1;
    this.energies = new Array<number>(inputCount).fill(0);
    this.taskVectors = new SliceTaskVectors(inputCount);
  }

  /** The slice's variances, in scratch space; returns how many are positive too. */
  private variancesOf(slices: readonly Float32Array[], length: number): [Float32Array, number] {
    if (this.variances.length < length) this.variances = new Float32Array(length);
    const variances = this.variances.subarray(0, length);
    return [variances, writeVariances(slices, variances)];
  }

  /** The slice's selection mask, or undefined when every position is selected. */
  private selectionOf(pass: number, slices: readonly Float32Array[], length: number): Uint8Array | undefined {
    if (this.finder === undefined) return undefined;
    this.cut ??= this.finder.cut();
    if (this.selection?.pass !== pass) this.selection = { pass, trimmer: new TopKTrimmer(this.cut) };
    if (this.selected.length < length) this.selected = new Uint8Array(length);
    const selected = this.selected.subarray(0, length);
    this.selection.trimmer.mark(this.variancesOf(slices, length)[0], selected);
    return selected;
  }

  observe(pass: number, base: Float32Array | undefined, slices: readonly Float32Array[]): void {
    const length = checkSlice(base, slices);
    const finder = this.finder;
    if (finder !== undefined && pass === 0) {
      const [variances, positive] = this.variancesOf(slices, length);
      this.positive += positive;
      finder.count(0, variances);
    } else if (finder !== undefined && pass === 1) {
      if (!this.countKept) {
        finder.setK(selectedCount(this.fraction, this.positive));
        this.countKept = true;
      }
      if (finder.countingPasses === 2) finder.count(1, this.variancesOf(slices, length)[0]);
    } else {
      addSquaredNorms(base!, slices, this.selectionOf(pass, slices, length), this.energies);
    }
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    const length = checkSlice(base, slices);
    this.options ??= sceOptions(this.energies, this.params);
    const selected = this.selectionOf(this.statisticsPasses, slices, length);
    const vectors = this.taskVectors.prepare(length);
    for (let i = 0; i < slices.length; i++) writeSelectedTaskVector(base!, slices[i]!, selected, vectors[i]!);
    return signConsensusMerge(base!, this.taskVectors.copy, this.options, into, this.taskVectors.workspace);
  }
}
