import { coopErrorCodes } from "../../engine/errors/index.js";
import type { EngineStatus } from "./engineConnection.js";

/**
 * The variant failed to load because its model files are not on this machine: downloading them is the fix
 * (decided on the error's code, which survives the engine process's RPC).
 */
export function modelsNotDownloaded(status: Pick<EngineStatus, "error" | "errorCode">): boolean {
  return status.error !== undefined && status.errorCode === coopErrorCodes.modelNotAvailable;
}
