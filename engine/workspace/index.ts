// Workspace roots: checked before anything is read from them, and the paths held inside them.
export { checkWorkspaceRoot, WorkspaceRootError, type WorkspaceRootProblem } from "./workspaceRoot.js";
export { isPathInside, realPathInside, realPathInsideSync, realRootSync } from "./pathContainment.js";
