// The TypeScript compiler's check of suggestions: a language service over the workspace's project, in
// a worker thread, judging names, members and modules that do not exist within a time budget.
export { TypeScriptChecker, defaultMaxProjectFiles } from "./typeScriptChecker.js";
export type { CheckInput, CompilerVerdict } from "./typeScriptProject.js";
export { withCompilerVerdict, type CheckedBy } from "./combine.js";
