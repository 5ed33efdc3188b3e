export { mergeModels } from "./mergeModels.js";
export { MergeCancelledError, MergeError } from "./mergeError.js";
export { MERGE_OUTPUT_TYPES } from "./mergeJob.js";
export type {
  MergeJob,
  MergeJobInput,
  MergeOutput,
  MergeOutputType,
  MergeProgress,
  MergeSummary,
} from "./mergeJob.js";
export { PROVENANCE_KEY } from "./outputMetadata.js";
export { parseMergeRecipe, readMergeRecipe, type MergeRecipe } from "./recipeFile.js";
export { MERGE_METHODS, mergeTensor, type MergeMethod, type MergeParams } from "./methods/index.js";
