export { WorkspaceCooperators } from "./workspaceCooperators.js";
