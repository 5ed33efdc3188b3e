import type { EngineStatus } from "../engine/engineConnection.js";
import { modelsNotDownloaded } from "../engine/loadFailure.js";
import type { ChatViewState } from "../protocol/chatProtocol.js";

/** What the chat view shows for the engine's status, with the actions that fix each state. */
export function chatViewState(status: EngineStatus): ChatViewState {
  const variant = status.variant;
  if (status.download) {
    return {
      variant,
      engine: "downloading",
      detail: status.download.message,
      progress: status.download.fraction,
      actions: [],
    };
  }
  if (status.error && modelsNotDownloaded(status)) {
    return {
      variant,
      engine: "notDownloaded",
      detail: status.error,
      actions: ["downloadModels", "swapVariant"],
    };
  }
  if (status.error)
    return { variant, engine: "error", detail: status.error, actions: ["retry", "swapVariant", "showLog"] };
  if (status.host === "gave-up") {
    return {
      variant,
      engine: "error",
      detail: "The engine process kept crashing and was stopped.",
      actions: ["retry", "swapVariant", "showLog"],
    };
  }
  if (status.loading || status.host === "starting")
    return { variant, engine: "loading", detail: `Loading ${variant}…`, actions: [] };
  return { variant, engine: status.host === "running" ? "ready" : "idle", actions: [] };
}
