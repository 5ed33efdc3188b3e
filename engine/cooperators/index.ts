export { WorkspaceCooperators } from "./workspaceCooperators.js";
export { completionQuery, groundCompletion } from "./grounding.js";
export type { GroundedContext, GroundingOptions, GroundingReport } from "./grounding.js";
