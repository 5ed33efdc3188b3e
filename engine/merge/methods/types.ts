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
   * Default true for linear, ties, dare_ties and sce; false for task_arithmetic and dare_linear.
   */
  normalize?: boolean;
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
