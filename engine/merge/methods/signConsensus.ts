/**
 * Writes input i's (sparsified) task vector into `into`; called twice per input, so it must be deterministic.
 */
export type TaskVectorWriter = (inputIndex: number, into: Float32Array) => void;

/** What stays the same over a tensor (a streamed merge makes it once, not once per slice). */
export interface SignConsensusOptions {
  /** wᵢ, one per input. */
  weights: readonly number[];
  /** eᵢ for the election; defaults to `weights`. */
  electionWeights?: readonly number[];
  lambda: number;
  normalize: boolean;
}

/**
 * Buffers of at least the tensor's (or slice's) length, so a streamed merge allocates them once, not per
 * slice.
 */
export interface SignConsensusWorkspace {
  taskVector: Float32Array;
  /** Σᵢ eᵢ·τ̂ᵢⱼ, whose sign is the elected one. */
  electionSum: Float32Array;
  agreeingWeight: Float32Array;
}

export function signConsensusWorkspace(length: number): SignConsensusWorkspace {
  return {
    taskVector: new Float32Array(length),
    electionSum: new Float32Array(length),
    agreeingWeight: new Float32Array(length),
  };
}

/**
 * TIES' sign election and disjoint merge, shared by ties, dare_ties and sce. With τ̂ᵢ the sparsified task
 * vectors and cᵢⱼ = wᵢ·τ̂ᵢⱼ:
 *   elected sign  γⱼ = sgn(Σᵢ eᵢ·τ̂ᵢⱼ)                     (by mass, not by count; eᵢ = wᵢ unless given)
 *   agreeing set  Aⱼ = { i : cᵢⱼ ≠ 0 and sgn(cᵢⱼ) = γⱼ }   (empty when γⱼ = 0)
 * merged δⱼ = Σ_{i∈Aⱼ} cᵢⱼ / Σ_{i∈Aⱼ} wᵢ (0 when Aⱼ is empty; no division when normalize is false)
 *   result        baseⱼ + λ·δⱼ
 * Every position is computed on its own, so merging a tensor slice by slice gives the same result.
 * `into` and `workspace`, when given, are used instead of new buffers.
 */
export function signConsensusMerge(
  base: Float32Array,
  writeTaskVector: TaskVectorWriter,
  options: SignConsensusOptions,
  into?: Float32Array,
  workspace?: SignConsensusWorkspace,
): Float32Array {
  const { weights, electionWeights = weights, lambda, normalize } = options;
  const n = base.length;
  const buffers = workspace ?? signConsensusWorkspace(n);
  const taskVector = buffers.taskVector.subarray(0, n);
  const electionSum = buffers.electionSum.subarray(0, n).fill(0);
  const out = into ? into.subarray(0, n).fill(0) : new Float32Array(n);

  for (let i = 0; i < weights.length; i++) {
    writeTaskVector(i, taskVector);
    addScaled(electionSum, taskVector, electionWeights[i]!);
  }

  const agreeingWeight = normalize ? buffers.agreeingWeight.subarray(0, n).fill(0) : undefined;
  for (let i = 0; i < weights.length; i++) {
    writeTaskVector(i, taskVector);
    if (agreeingWeight) addAgreeing(out, agreeingWeight, taskVector, electionSum, weights[i]!);
    else addAgreeingUnweighted(out, taskVector, electionSum, weights[i]!);
  }

  if (agreeingWeight) {
    for (let j = 0; j < n; j++) {
      const divisor = agreeingWeight[j]!;
      out[j] = base[j]! + lambda * (divisor === 0 ? 0 : out[j]! / divisor);
    }
  } else {
    for (let j = 0; j < n; j++) out[j] = base[j]! + lambda * out[j]!;
  }
  return out;
}

// The loops below are small functions of their own so V8 compiles each tight.

function addScaled(out: Float32Array, x: Float32Array, w: number): void {
  for (let j = 0; j < out.length; j++) out[j]! += w * x[j]!;
}

/**
 * Adds w·τⱼ where its sign is the elected one: where contribution·electionSumⱼ > 0 (in double
 * precision, where a product of float32 values neither underflows to zero nor loses its sign). A zero
 * or NaN on either side agrees with nothing, as sgn(0) = 0 and a NaN sum elects no sign.
 */
function addAgreeing(
  out: Float32Array,
  weightSum: Float32Array,
  taskVector: Float32Array,
  electionSum: Float32Array,
  w: number,
): void {
  for (let j = 0; j < out.length; j++) {
    const contribution = w * taskVector[j]!;
    if (contribution * electionSum[j]! > 0) {
      out[j]! += contribution;
      weightSum[j]! += w;
    }
  }
}

function addAgreeingUnweighted(
  out: Float32Array,
  taskVector: Float32Array,
  electionSum: Float32Array,
  w: number,
): void {
  for (let j = 0; j < out.length; j++) {
    const contribution = w * taskVector[j]!;
    if (contribution * electionSum[j]! > 0) out[j]! += contribution;
  }
}
