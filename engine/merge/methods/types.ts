export type KeptCountRule = "floor" | "round";
export type ZeroVoteRule = "positive" | "none";
export type NormalizeOverRule = "acting" | "all";
export type SlerpNearZeroRule = "spherical" | "linear";

/** The values each rule option takes, the mergekit-compatible default first. */
export const MERGE_RULE_OPTIONS = {
  keptCount: ["floor", "round"],
  zeroVote: ["positive", "none"],
  normalizeOver: ["acting", "all"],
  slerpNearZero: ["spherical", "linear"],
} as const satisfies Record<string, readonly string[]>;

export type MergeMethod =
  "linear" | "task_arithmetic" | "ties" | "dare_linear" | "dare_ties" | "sce" | "slerp";

/** One model's copy of the tensor being merged. */
export interface MergeInput {
  values: Float32Array;
  weight: number;
  /** Fraction of the task vector kept by ties (by magnitude) and dare_* (at random), in (0, 1]. Default 1. */
  density?: number;
}

export interface MergeParams {
  /** Scale applied to the merged task vector (task_arithmetic, ties, dare_*, sce). Default 1. */
  lambda?: number;
  /**
   * Divide by the sum of the weights that contributed.
   * Default true for linear, ties and sce; false for task_arithmetic, dare_linear and dare_ties (as
   * mergekit).
   */
  normalize?: boolean;
  /**
   * ties and sce: how a fraction of n becomes a count of kept entries: "floor" (mergekit's int(fraction·n),
   * the default) or "round" (Coop's former rule, the count nearest the fraction).
   */
  keptCount?: KeptCountRule;
  /**
   * ties, dare_ties and sce: what a sign vote summing to exactly zero elects: "positive" (mergekit's
   * sum >= 0, the default) or "none" (Coop's former rule: nothing agrees and the position keeps the base).
   */
  zeroVote?: ZeroVoteRule;
  /**
   * linear over LoRA adapters: divide a tensor by the weights of the adapters that touch it ("acting",
   * mergekit's rule for a tensor some inputs lack, the default) or by every adapter's weight ("all", Coop's
   * former rule, as if an adapter that leaves the tensor alone contributed a zero delta).
   */
  normalizeOver?: NormalizeOverRule;
  /**
   * slerp when a tensor has (nearly) zero norm: "spherical" (mergekit: that tensor is not normalised, the
   * angle is taken as is, 90 degrees for an exact zero) or "linear" (Coop's former rule: (1−t)·a + t·b).
   */
  slerpNearZero?: SlerpNearZeroRule;
  /** slerp only, in [0, 1]: 0 returns the first input, 1 the second. */
  t?: number;
  /**
   * sce only, in (0, 1]: fraction of positions kept, ranked by variance across the task vectors. Default 1.
   */
  selectTopK?: number;
}

/** Identifies the tensor so random methods are reproducible per tensor whatever the call order. */
export interface MergeContext {
  seed: number;
  tensorIndex: number;
}
