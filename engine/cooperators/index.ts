export { WorkspaceCooperators } from "./workspaceCooperators.js";
export { completionQuery, groundCompletion } from "./grounding.js";
export type { GroundedContext, GroundingOptions, GroundingReport } from "./grounding.js";
export { EditorSync, type DocumentListener } from "./editorSync.js";
export { checkWorkspaceChange, type CheckedWorkspaceChange } from "./workspaceChange.js";
