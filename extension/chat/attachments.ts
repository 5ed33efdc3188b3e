import * as vscode from "vscode";
import { type ChatAttachment, inputLimits, keepStart } from "../../engine/host/contract/index.js";
import type { AttachMode } from "../protocol/chatProtocol.js";

export interface Attached {
  attachment: ChatAttachment;
  /** What the user sees on their question: "selection of src/a.ts:3-9". */
  label: string;
}

/**
 * The code to attach to a question, from the editor the user last worked in (the chat view has the
 * focus when they ask). Undefined, with the reason, when there is nothing to attach.
 */
export function attachmentFrom(
  editor: vscode.TextEditor | undefined,
  mode: AttachMode,
): Attached | { missing: string } | undefined {
  if (mode === "none") return undefined;
  if (!editor)
    return {
      missing: `No editor is open, so no ${mode === "selection" ? "selection" : "file"} was attached.`,
    };
  const document = editor.document;
  const path = vscode.workspace.asRelativePath(document.uri, false);
  if (mode === "selection") {
    const selection = editor.selection;
    if (selection.isEmpty)
      return { missing: `Nothing is selected in ${path}, so no selection was attached.` };
    const endLine =
      selection.end.character === 0 && selection.end.line > selection.start.line
        ? selection.end.line - 1
        : selection.end.line;
    return {
      attachment: {
        kind: "selection",
        path,
        language: document.languageId,
        // Cut as the engine would (it fits attachments to the prompt budget anyway).
        text: keepStart(document.getText(selection), inputLimits.attachmentChars),
        startLine: selection.start.line,
        endLine,
      },
      label: `selection of ${path}:${selection.start.line + 1}-${endLine + 1}`,
    };
  }
  return {
    attachment: {
      kind: "file",
      path,
      language: document.languageId,
      text: keepStart(document.getText(), inputLimits.attachmentChars),
    },
    label: path,
  };
}
