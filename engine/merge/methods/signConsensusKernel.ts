import type { SignConsensusOptions } from "./signConsensus.js";

const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT32_MIN_NORMAL = 2 ** -126;
/** Below this, a weight times the smallest float32 could round to a zero in float32. */
const SMALLEST_KERNEL_WEIGHT = 2 ** -23;

/**
 * signConsensusMerge of one slice's task vectors (already sparsified: trimmed, dropped or selected) in a
 * single pass over its positions, with every intermediate in a local, where the general path goes over the
 * slice once per input and step. Each step rounds to float32 exactly where that path stores into a
 * Float32Array, so the result is the same bit for bit:
 *   s = Σ fround(s + eᵢ·τ̂ᵢ); γ = s >= 0 ? 1 : −1 (zeroVote "positive") or s itself;
 *   the cᵢ = wᵢ·τ̂ᵢ with cᵢ·γ > 0 summed (and their weights) in float32, input by input.
 * Agreement is a 0-or-1 factor, not a branch (the general path's unnormalized sum skips an input instead):
 * the two agree unless a sum is a zero whose sign a skipped +0 would change, which takes a contribution
 * that rounds to a zero, so merge() gives up on a subnormal τ̂ (as on a non-finite one) and the caller takes
 * the general path.
 */
export class SignConsensusKernel {
  /** Whether the kernel applies: no weight that could overflow a product, or round one to zero. */
  readonly applies: boolean;
  private readonly weights: Float64Array;
  private readonly electionWeights: Float64Array;
  private readonly lambda: number;
  private readonly normalize: boolean;
  private readonly positiveOnZero: boolean;
  private readonly vectors: Float32Array[] = [];

  constructor(options: SignConsensusOptions) {
    this.weights = Float64Array.from(options.weights);
    this.electionWeights = Float64Array.from(options.electionWeights ?? options.weights);
    this.lambda = options.lambda;
    this.normalize = options.normalize;
    this.positiveOnZero = (options.zeroVote ?? "positive") === "positive";
    const usable = (w: number): boolean =>
      Number.isFinite(w * FLOAT32_MAX) && (w === 0 || Math.abs(w) >= SMALLEST_KERNEL_WEIGHT);
    this.applies = [...this.weights, ...this.electionWeights].every(usable);
  }

  /**
   * Merges the slice's task vectors (one per input) onto `base` into `into`. Returns false, with `into`
   * partly written, on a non-finite or subnormal task vector value.
   */
  merge(base: Float32Array, vectors: readonly Float32Array[], into: Float32Array): boolean {
    if (vectors.length === 2) return this.mergePair(base, vectors[0]!, vectors[1]!, into);
    this.vectors.length = 0;
    this.vectors.push(...vectors);
    return this.mergeAny(base, into);
  }

  private mergePair(base: Float32Array, v0: Float32Array, v1: Float32Array, into: Float32Array): boolean {
    const { lambda, normalize, positiveOnZero } = this;
    const [w0, w1] = this.weights as unknown as [number, number];
    const [e0, e1] = this.electionWeights as unknown as [number, number];
    const n = base.length;
    for (let j = 0; j < n; j++) {
      const t0 = v0[j]!;
      const t1 = v1[j]!;
      const m0 = Math.abs(t0);
      const m1 = Math.abs(t1);
      if (outsideRange(m0) | outsideRange(m1)) return false;
      const vote = Math.fround(Math.fround(0 + e0 * t0) + e1 * t1);
      const elected = positiveOnZero ? Number(vote >= 0) * 2 - 1 : vote;
      const c0 = w0 * t0;
      const c1 = w1 * t1;
      const agrees0 = Number(c0 * elected > 0);
      const agrees1 = Number(c1 * elected > 0);
      const sum = Math.fround(Math.fround(0 + agrees0 * c0) + agrees1 * c1);
      const b = base[j]!;
      if (normalize) {
        const weightSum = Math.fround(Math.fround(0 + agrees0 * w0) + agrees1 * w1);
        into[j] = b + lambda * (sum / (weightSum + Number(weightSum === 0)));
      } else {
        into[j] = b + lambda * sum;
      }
    }
    return true;
  }

  private mergeAny(base: Float32Array, into: Float32Array): boolean {
    const { weights, electionWeights, vectors, lambda, normalize, positiveOnZero } = this;
    const m = vectors.length;
    const n = base.length;
    for (let j = 0; j < n; j++) {
      let vote = 0;
      for (let i = 0; i < m; i++) {
        const t = vectors[i]![j]!;
        const magnitude = Math.abs(t);
        if (outsideRange(magnitude)) return false;
        vote = Math.fround(vote + electionWeights[i]! * t);
      }
      const elected = positiveOnZero ? Number(vote >= 0) * 2 - 1 : vote;
      let sum = 0;
      let weightSum = 0;
      for (let i = 0; i < m; i++) {
        const w = weights[i]!;
        const contribution = w * vectors[i]![j]!;
        const agrees = Number(contribution * elected > 0);
        sum = Math.fround(sum + agrees * contribution);
        weightSum = Math.fround(weightSum + agrees * w);
      }
      const b = base[j]!;
      into[j] = normalize ? b + lambda * (sum / (weightSum + Number(weightSum === 0))) : b + lambda * sum;
    }
    return true;
  }
}

/**
 * 1 for a magnitude the kernel gives up on (subnormal, infinite or NaN), 0 for zero or a finite normal one:
 * 0-or-1 factors, not a chain of branches, which the zeros among sparsified values would mispredict.
 */
function outsideRange(magnitude: number): number {
  return (
    (Number(magnitude > 0) & Number(magnitude < FLOAT32_MIN_NORMAL)) | Number(!(magnitude <= FLOAT32_MAX))
  );
}
