import {
  maxMessageChars,
  parseWebviewMessage,
  type AttachMode,
  type WebviewToExtension,
} from "../extension/protocol/chatProtocol.js";

export type AskResult =
  { message: Extract<WebviewToExtension, { type: "ask" }> } | { error: string } | { empty: true };

/** The ask message for what the user typed, or why it cannot be sent. */
export function askMessage(text: string, attach: AttachMode, requestId: string): AskResult {
  if (text.trim() === "") return { empty: true };
  if (text.length > maxMessageChars) {
    return {
      error: `The question is ${text.length.toLocaleString("en-US")} characters long; Coop takes at most ${maxMessageChars.toLocaleString("en-US")}. Attach the file instead of pasting it.`,
    };
  }
  const message = parseWebviewMessage({ type: "ask", requestId, text, attach });
  if (message?.type !== "ask")
    return { error: "The question could not be sent (the view made a malformed request); reload the view." };
  return { message };
}

export type ComposerKeyAction = "send" | "default";

/** Enter sends; Shift+Enter (and Enter while an input method composes) inserts a new line. */
export function composerKeyAction(key: {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
}): ComposerKeyAction {
  return key.key === "Enter" && !key.shiftKey && !key.isComposing ? "send" : "default";
}
