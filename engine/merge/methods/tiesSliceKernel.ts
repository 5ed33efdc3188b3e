import type { SignConsensusOptions } from "./signConsensus.js";
import { isFloat32, WasmTiesPair, type SliceValues, type VarianceSelection } from "./wasmTiesKernels.js";

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * TIES' trim, election and disjoint merge of one slice in a single pass over its positions, with every
 * intermediate in a local (the general path, TopKTrimmer then signConsensusMerge, goes over the slice
 * a dozen times). Each step rounds to float32 exactly where that path stores into a Float32Array, so the
 * result is the same bit for bit:
 *   τᵢ = fround(xᵢ − base); kept when |τᵢ| > thresholdᵢ, or = thresholdᵢ while its tie budget lasts;
 *   s = Σ fround(s + eᵢ·τ̂ᵢ) (eᵢ = wᵢ unless options.electionWeights, SCE's ones);
 *   γ = s >= 0 ? 1 : −1 (zeroVote "positive") or s itself;
 *   the cᵢ = wᵢ·τ̂ᵢ with cᵢ·γ > 0 summed, and their weights, as in signConsensusMerge.
 * Magnitudes are compared as floats, which order like the bit patterns TopKCutFinder counts as long as
 * they are finite: on a non-finite τ (an input's NaN, or an overflow) merge() gives up, and the caller
 * takes the general path.
 */
export class TiesSliceKernel {
  /** Whether the kernel applies: no weight (merge's or election's) that could overflow a product. */
  readonly applies: boolean;
  private readonly weights: Float64Array;
  private readonly electionWeights: Float64Array;
  private readonly lambda: number;
  private readonly normalize: boolean;
  private readonly positiveOnZero: boolean;
  private readonly kept: Float64Array;
  /**
   * For two inputs, what the agreeing sum is divided by, indexed by which agree (bit i for input i): the
   * sum of their weights as signConsensusMerge adds it up, 1 where none agrees or without normalize.
   */
  private readonly pairDivisors = new Float64Array(4);
  /** The two-input merge in WebAssembly, where it compiles (and `useWasm` is left on). */
  private readonly wasmPair: WasmTiesPair | undefined;

  /**
   * `thresholds` are the cuts' magnitudes (thresholdMagnitude), one per input; `useWasm` false keeps the
   * two-input merge in JavaScript (tests compare both).
   */
  constructor(
    options: SignConsensusOptions,
    private readonly thresholds: Float64Array,
    useWasm = true,
  ) {
    this.weights = Float64Array.from(options.weights);
    this.electionWeights = Float64Array.from(options.electionWeights ?? options.weights);
    this.lambda = options.lambda;
    this.normalize = options.normalize;
    this.positiveOnZero = (options.zeroVote ?? "positive") === "positive";
    this.kept = new Float64Array(options.weights.length);
    this.applies = [...this.weights, ...this.electionWeights].every((w) => Number.isFinite(w * FLOAT32_MAX));
    if (options.weights.length === 2) {
      const [w0, w1] = options.weights as [number, number];
      for (let agreeing = 0; agreeing < 4; agreeing++) {
        const weightSum = Math.fround(Math.fround(0 + (agreeing & 1) * w0) + (agreeing >> 1) * w1);
        this.pairDivisors[agreeing] = this.normalize && weightSum !== 0 ? weightSum : 1;
      }
    }
    this.wasmPair = useWasm && options.weights.length === 2 ? WasmTiesPair.create() : undefined;
  }

  /** Whether two-input slices are merged by the WebAssembly kernel. */
  get usesWasm(): boolean {
    return this.wasmPair !== undefined;
  }

  /**
   * Merges the slice into `into`, spending `budgets` (each cut's ties still to keep) as TopKTrimmer would.
   * Returns false, with `budgets` and `into` partly spent and written, on a non-finite τ. Halves, in or
   * out (encoded as engine/gguf encodes F16), are taken by the WebAssembly kernel only, and so is SCE's
   * `selection` of positions by variance (spending its ties; without the kernel, merge gives up).
   */
  merge(
    base: SliceValues,
    inputs: readonly SliceValues[],
    budgets: Float64Array,
    into: SliceValues,
    selection?: VarianceSelection,
  ): boolean {
    if (this.wasmPair === undefined || inputs.length !== 2) {
      if (selection !== undefined) return false;
      if (!isFloat32(base) || !inputs.every(isFloat32) || !isFloat32(into))
        throw new Error("TiesSliceKernel: only the WebAssembly kernel takes halves");
      if (inputs.length !== 2) return this.mergeAny(base, inputs, budgets, into);
      return this.mergePair(base, inputs[0]!, inputs[1]!, budgets, into);
    }
    return this.wasmPair.merge(
      base,
      inputs[0]!,
      inputs[1]!,
      budgets,
      into,
      {
        weights: [this.weights[0]!, this.weights[1]!],
        electionWeights: [this.electionWeights[0]!, this.electionWeights[1]!],
        thresholds: [this.thresholds[0]!, this.thresholds[1]!],
        lambda: this.lambda,
        positiveOnZero: this.positiveOnZero,
        pairDivisors: this.pairDivisors,
      },
      selection,
    );
  }

  /**
   * merge() for two inputs, the common case, with nothing indexed by input: half the time of mergeAny. The
   * budgets are written back once, at the end (the caller ignores them when this gives up), and a tie with
   * the cut, rare, is a branch. The agreeing weights' sum takes one of four values, divided by as
   * pairDivisors holds them.
   */
  private mergePair(
    base: Float32Array,
    x0: Float32Array,
    x1: Float32Array,
    budgets: Float64Array,
    into: Float32Array,
  ): boolean {
    const { lambda, positiveOnZero, pairDivisors } = this;
    const w0 = this.weights[0]!;
    const w1 = this.weights[1]!;
    const e0 = this.electionWeights[0]!;
    const e1 = this.electionWeights[1]!;
    const t0 = this.thresholds[0]!;
    const t1 = this.thresholds[1]!;
    let budget0 = budgets[0]!;
    let budget1 = budgets[1]!;
    const n = base.length;
    for (let j = 0; j < n; j++) {
      const b = base[j]!;
      const tau0 = Math.fround(x0[j]! - b);
      const tau1 = Math.fround(x1[j]! - b);
      const magnitude0 = Math.abs(tau0);
      const magnitude1 = Math.abs(tau1);
      if (!(magnitude0 <= FLOAT32_MAX && magnitude1 <= FLOAT32_MAX)) return false;
      let kept0 = Number(magnitude0 > t0);
      let kept1 = Number(magnitude1 > t1);
      if (magnitude0 === t0 && budget0 > 0) {
        budget0--;
        kept0 = 1;
      }
      if (magnitude1 === t1 && budget1 > 0) {
        budget1--;
        kept1 = 1;
      }
      const c0 = w0 * (kept0 * tau0);
      const c1 = w1 * (kept1 * tau1);
      const vote = Math.fround(Math.fround(0 + e0 * (kept0 * tau0)) + e1 * (kept1 * tau1));
      const elected = positiveOnZero ? Number(vote >= 0) * 2 - 1 : vote;
      const agrees0 = Number(c0 * elected > 0);
      const agrees1 = Number(c1 * elected > 0);
      const sum = Math.fround(Math.fround(0 + agrees0 * c0) + agrees1 * c1);
      into[j] = b + lambda * (sum / pairDivisors[agrees0 + 2 * agrees1]!);
    }
    budgets[0] = budget0;
    budgets[1] = budget1;
    return true;
  }

  private mergeAny(
    base: Float32Array,
    inputs: readonly Float32Array[],
    budgets: Float64Array,
    into: Float32Array,
  ): boolean {
    const { weights, electionWeights, thresholds, kept, lambda, normalize, positiveOnZero } = this;
    const m = inputs.length;
    const n = base.length;
    // One loop and nothing after it: V8 compiles a long loop while it runs (on-stack replacement), and
    // code after it, having never run, would throw that compiled code away on every call. For the same
    // reason nothing inside is a rarely taken branch but the bail-out.
    for (let j = 0; j < n; j++) {
      const b = base[j]!;
      let vote = 0;
      for (let i = 0; i < m; i++) {
        const tau = Math.fround(inputs[i]![j]! - b);
        const magnitude = Math.abs(tau);
        if (!(magnitude <= FLOAT32_MAX)) return false;
        const threshold = thresholds[i]!;
        const tieKept = Number(magnitude === threshold) & Number(budgets[i]! > 0);
        budgets[i]! -= tieKept;
        const trimmed = (Number(magnitude > threshold) | tieKept) * tau;
        kept[i] = trimmed;
        vote = Math.fround(vote + electionWeights[i]! * trimmed);
      }
      const elected = positiveOnZero ? Number(vote >= 0) * 2 - 1 : vote;
      let sum = 0;
      let weightSum = 0;
      for (let i = 0; i < m; i++) {
        const w = weights[i]!;
        const contribution = w * kept[i]!;
        const agrees = Number(contribution * elected > 0);
        sum = Math.fround(sum + agrees * contribution);
        weightSum = Math.fround(weightSum + agrees * w);
      }
      into[j] = normalize ? b + lambda * (sum / (weightSum + Number(weightSum === 0))) : b + lambda * sum;
    }
    return true;
  }
}
