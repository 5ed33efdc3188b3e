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
export {
  isMergekitRecipeFile,
  parseMergekitRecipe,
  parseMergeRecipe,
  readMergeRecipe,
  type MergeRecipe,
} from "./recipeFile.js";
export { readMergekitConfig, type MergekitMerge } from "./mergekitConfig.js";
export { MERGE_METHODS, mergeTensor, type MergeMethod, type MergeParams } from "./methods/index.js";
