// The detector: checks what a model wrote against the code around it, the workspace, the project's
// dependencies and the language's built-ins, and decides what to do about it.
export { detect, type DetectOptions } from "./detect.js";
export { packageNameOf } from "./snippetChecker.js";
export { isCertain, type Finding, type FindingKind, type Span } from "./finding.js";
export type { TokenConfidence } from "./lowConfidence.js";
export type { DetectorWorkspace, WorkspaceDefinition } from "./workspace.js";
export { workspaceFromFiles, IndexedWorkspace, type WorkspaceFile } from "./workspaceFromFiles.js";
export type { DeclaredDependencies } from "./dependencies.js";
export {
  applyPolicy,
  passesDetector,
  repairContext,
  type DetectorPolicy,
  type PolicyDecision,
  type RepairContext,
} from "./policy.js";
export { nearestNames, editDistance, identifierWords } from "./suggest.js";
