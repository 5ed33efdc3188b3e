export { LlamaRuntime, ModelLoadError, ModelTooLargeError, defaultThreadCount } from "./llamaRuntime.js";
export type { RuntimeOptions, LoadModelOptions, LoadedModel } from "./llamaRuntime.js";
export { validateModelFile, ModelFileError } from "./validateModelFile.js";
export type { ModelFileSummary } from "./validateModelFile.js";
export { importNodeLlamaCpp } from "./nodeLlamaCpp.js";
export type { NodeLlamaCppModule } from "./nodeLlamaCpp.js";
export { tokenLogLikelihoods, mean } from "./tokenLogLikelihood.js";
