import { signConsensusMerge, type SignConsensusOptions } from "./signConsensus.js";
import { checkSlice, SliceTaskVectors, type StreamedInput, type TensorMergeStream } from "./streamSlices.js";
import { writeTaskVector } from "./taskVector.js";
import { tiesOptions, trimmedCount } from "./ties.js";
import { TopKCutFinder, TopKTrimmer } from "./topK.js";
import type { MergeParams } from "./types.js";

/**
 * TIES trims each task vector to its kᵢ largest magnitudes over the whole tensor: two statistics passes
 * find each input's cut (TopKCutFinder), then each slice's task vectors are trimmed against it, the ties
 * at the cut counted across slices, and elected and merged position by position.
 */
export class TiesStream implements TensorMergeStream {
  readonly statisticsPasses: number;
  private readonly finders: TopKCutFinder[];
  private trimmers: TopKTrimmer[] | undefined;
  private readonly options: SignConsensusOptions;
  private readonly taskVectors: SliceTaskVectors;

  constructor(inputs: readonly StreamedInput[], params: MergeParams, elementCount: number) {
    this.finders = inputs.map(
      ({ density = 1 }) => new TopKCutFinder(elementCount, trimmedCount(density, elementCount)),
    );
    this.statisticsPasses = Math.max(...this.finders.map((finder) => finder.countingPasses));
    this.options = tiesOptions(inputs, params);
    this.taskVectors = new SliceTaskVectors(inputs.length);
  }

  private taskVectorsOf(base: Float32Array, slices: readonly Float32Array[]): Float32Array[] {
    const vectors = this.taskVectors.prepare(checkSlice(base, slices));
    for (let i = 0; i < slices.length; i++) writeTaskVector(base, slices[i]!, vectors[i]!);
    return vectors;
  }

  observe(pass: number, base: Float32Array | undefined, slices: readonly Float32Array[]): void {
    const vectors = this.taskVectorsOf(base!, slices);
    for (let i = 0; i < vectors.length; i++) {
      const finder = this.finders[i]!;
      if (pass < finder.countingPasses) finder.count(pass, vectors[i]!);
    }
  }

  merge(base: Float32Array | undefined, slices: readonly Float32Array[], into: Float32Array): Float32Array {
    this.trimmers ??= this.finders.map((finder) => new TopKTrimmer(finder.cut()));
    const vectors = this.taskVectorsOf(base!, slices);
    for (let i = 0; i < vectors.length; i++) this.trimmers[i]!.trim(vectors[i]!);
    return signConsensusMerge(base!, this.taskVectors.copy, this.options, into, this.taskVectors.workspace);
  }
}
