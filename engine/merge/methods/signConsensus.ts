import type { ZeroVoteRule } from "./types.js";

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
  /** What a vote summing to exactly zero elects; default "positive" (mergekit's sum >= 0). */
  zeroVote?: ZeroVoteRule;
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
 * vectors, cᵢⱼ = wᵢ·τ̂ᵢⱼ and sⱼ = Σᵢ eᵢ·τ̂ᵢⱼ (by mass, not by count; eᵢ = wᵢ unless given):
 *   elected sign  γⱼ = +1 if sⱼ >= 0 else −1 (mergekit); with zeroVote "none", γⱼ = sgn(sⱼ), so 0 elects none
 *   agreeing set  Aⱼ = { i : cᵢⱼ ≠ 0 and sgn(cᵢⱼ) = γⱼ }   (empty when γⱼ = 0)
 * merged δⱼ = Σ_{i∈Aⱼ} cᵢⱼ / Σ_{i∈Aⱼ} wᵢ (undivided when that sum is 0, as mergekit; no division at all
 *                 when normalize is false)
 *   result        baseⱼ + λ·δⱼ
 * Every position is computed on its own, so merging a tensor slice by slice gives the same result.
 * The task vectors come from a writer (a whole tensor's, written into scratch space one at a time) or
 * already written, one per input (a streamed slice's, read in place with no copy).
 * `into` and `workspace`, when given, are used instead of new buffers.
 */
export function signConsensusMerge(
  base: Float32Array,
  taskVectors: TaskVectorWriter | readonly Float32Array[],
  options: SignConsensusOptions,
  into?: Float32Array,
  workspace?: SignConsensusWorkspace,
): Float32Array {
  const { weights, electionWeights = weights, lambda, normalize } = options;
  const n = base.length;
  const buffers = workspace ?? signConsensusWorkspace(n);
  const scratch = buffers.taskVector.subarray(0, n);
  const vectorOf =
    typeof taskVectors === "function"
      ? (i: number): Float32Array => {
          taskVectors(i, scratch);
          return scratch;
        }
      : (i: number): Float32Array => taskVectors[i]!;
  const electionSum = buffers.electionSum.subarray(0, n).fill(0);
  const out = into ? into.subarray(0, n).fill(0) : new Float32Array(n);

  let taskVectorsFinite = true;
  for (let i = 0; i < weights.length; i++) {
    taskVectorsFinite = addScaled(electionSum, vectorOf(i), electionWeights[i]!) && taskVectorsFinite;
  }
  if ((options.zeroVote ?? "positive") === "positive") electPositiveOnZero(electionSum);

  // Every contribution wᵢ·τ̂ᵢⱼ is finite when every τ̂ᵢⱼ is and no weight could overflow a float32's worth.
  const contributionsFinite = taskVectorsFinite && weights.every((w) => Number.isFinite(w * FLOAT32_MAX));
  const agreeingWeight = normalize ? buffers.agreeingWeight.subarray(0, n).fill(0) : undefined;
  for (let i = 0; i < weights.length; i++) {
    const taskVector = vectorOf(i);
    if (!agreeingWeight) addAgreeingUnweighted(out, taskVector, electionSum, weights[i]!);
    else if (contributionsFinite)
      addAgreeingFinite(out, agreeingWeight, taskVector, electionSum, weights[i]!);
    else addAgreeing(out, agreeingWeight, taskVector, electionSum, weights[i]!);
  }

  if (agreeingWeight) {
    for (let j = 0; j < n; j++) {
      const divisor = agreeingWeight[j]!;
      // divisor, or 1 (an exact no-op) where no weight agreed: a division instead of a branch.
      out[j] = base[j]! + lambda * (out[j]! / (divisor + Number(divisor === 0)));
    }
  } else {
    for (let j = 0; j < n; j++) out[j] = base[j]! + lambda * out[j]!;
  }
  return out;
}

// The loops below are small functions of their own so V8 compiles each tight. Where a test goes one way
// or the other at random (signs, agreement), it is a 0-or-1 factor rather than a branch: a mispredicted
// branch per element cost more than the rest of the loop.

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Turns each vote sum into the elected sign, +1 where it is >= 0 and −1 elsewhere (NaN included, as
 * torch's (sum >= 0) * 2 − 1), so the agreement test below sees a sign that is never zero.
 */
function electPositiveOnZero(electionSum: Float32Array): void {
  for (let j = 0; j < electionSum.length; j++) {
    electionSum[j] = Number(electionSum[j]! >= 0) * 2 - 1;
  }
}

/** out += w·x; returns whether every x is finite (0·x is 0 for those, NaN for the others). */
function addScaled(out: Float32Array, x: Float32Array, w: number): boolean {
  let probe = 0;
  for (let j = 0; j < out.length; j++) {
    const value = x[j]!;
    out[j]! += w * value;
    probe += value * 0;
  }
  return probe === 0;
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

/** addAgreeing where every contribution is finite, so 0·contribution adds an exact zero. */
function addAgreeingFinite(
  out: Float32Array,
  weightSum: Float32Array,
  taskVector: Float32Array,
  electionSum: Float32Array,
  w: number,
): void {
  for (let j = 0; j < out.length; j++) {
    const contribution = w * taskVector[j]!;
    const agrees = Number(contribution * electionSum[j]! > 0);
    out[j]! += agrees * contribution;
    weightSum[j]! += agrees * w;
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
