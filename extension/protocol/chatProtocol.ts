/**
 * The one protocol between the chat webview and the extension. Both sides import this module; every
 * message is checked with the parse functions, so a malformed message is rejected, never acted on.
 */

export type EngineState = "idle" | "loading" | "ready" | "error";

export interface ChatViewState {
  variant: string;
  engine: EngineState;
  /** What the user should know or do, if anything. */
  detail?: string;
}

export type WebviewToExtension = { type: "ready" } | { type: "showLog" };

export type ExtensionToWebview = { type: "state"; state: ChatViewState };

const engineStates: readonly EngineState[] = ["idle", "loading", "ready", "error"];

export function parseWebviewMessage(raw: unknown): WebviewToExtension | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case "ready":
    case "showLog":
      return { type: raw.type };
    default:
      return undefined;
  }
}

export function parseExtensionMessage(raw: unknown): ExtensionToWebview | undefined {
  if (!isRecord(raw) || raw.type !== "state" || !isRecord(raw.state)) return undefined;
  const { variant, engine, detail } = raw.state;
  if (typeof variant !== "string" || !engineStates.includes(engine as EngineState)) return undefined;
  if (detail !== undefined && typeof detail !== "string") return undefined;
  return { type: "state", state: { variant, engine: engine as EngineState, detail } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
