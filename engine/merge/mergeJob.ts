import type { MergeMethod, MergeParams } from "./methods/index.js";
import type { QuantPreset } from "./quantPresetTypes.js";

/** One type for every merged tensor, or a llama.cpp quantization preset that chooses per tensor. */
export type MergeOutputType = "F32" | "F16" | "Q8_0" | QuantPreset;
export const MERGE_OUTPUT_TYPES: readonly MergeOutputType[] = [
  "F32",
  "F16",
  "Q8_0",
  "Q4_0",
  "Q4_K_S",
  "Q4_K_M",
  "Q5_K_S",
  "Q5_K_M",
  "Q6_K",
];

export interface MergeJobInput {
  /** A full GGUF model, or a LoRA adapter GGUF (then every input must be an adapter of one base). */
  path: string;
  /** The input's weight; for adapters it plays the role of the run-time adapter scale. */
  weight: number;
  /** ties / dare_*: fraction of the task vector kept, in (0, 1]. */
  density?: number;
}

export type MergeOutput =
  | { kind: "model"; path: string; type: MergeOutputType }
  /** Only for adapter inputs: the merged delta re-factorized by truncated SVD at `rank`. */
  | { kind: "adapter"; path: string; rank: number };

export interface MergeProgress {
  tensorsDone: number;
  tensorCount: number;
  bytesWritten: number;
  /** Bytes of tensor data the output will hold. */
  bytesTotal: number;
  tensor: string;
}

export interface MergeJob {
  method: MergeMethod;
  /** The shared base model: needed by the task-vector methods, and to write a full model from adapters. */
  base?: string;
  inputs: readonly MergeJobInput[];
  params?: MergeParams;
  /** Seed of the random methods (dare_*) and of the SVD; default 0. */
  seed?: number;
  output: MergeOutput;
  /** general.name of the output; default derived from the base and the method. */
  name?: string;
  /**
   * Full-model merges with the methods that stream (linear, task_arithmetic, ties, dare_linear,
   * dare_ties) read each tensor this many elements per input at a time (in whole rows), so memory
   * stays bounded by the block, not the tensor; default 4 Mi (8 MiB per F16 input). sce and slerp
   * read whole tensors.
   */
  blockElements?: number;
  signal?: AbortSignal;
  onProgress?: (progress: MergeProgress) => void;
}

export interface MergeSummary {
  method: MergeMethod;
  inputKind: "model" | "adapter";
  inputs: string[];
  base?: string;
  output: string;
  outputKind: "model" | "adapter";
  /** For a model: the type (or preset) merged tensors were written in; for an adapter: F32 factors. */
  outputType: MergeOutputType;
  tensors: number;
  /** Tensors that were merged (the rest were copied from the base unchanged). */
  mergedTensors: number;
  bytesWritten: number;
  seconds: number;
  /** Adapter output only: share of the merged delta's energy (squared Frobenius norm) the factors keep. */
  energyKept?: number;
  rank?: number;
}
