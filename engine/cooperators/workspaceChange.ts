import { isAbsolute, resolve } from "node:path";
import type { EditedDocument, WorkspaceChange } from "../host/contract/engineApi.js";
import { inputLimits } from "../host/contract/inputLimits.js";
import { isPathInside } from "../workspace/index.js";

/** A workspace change whose every path is absolute, inside the root and within the engine's limits. */
export interface CheckedWorkspaceChange {
  edited: EditedDocument[];
  written: string[];
  deleted: string[];
  closed: string[];
  openFiles?: string[];
}

export interface CheckedChange {
  change: CheckedWorkspaceChange;
  /** What was left out, each with its reason. */
  ignored: string[];
}

/**
 * Reads a workspace change as it arrives over the engine's API (its shape is not trusted): paths that
 * are not absolute or lie outside `root` are ignored, as are documents over the engine's size limit and
 * anything beyond the number of paths one change may carry. Nothing here touches the file system.
 */
export function checkWorkspaceChange(raw: WorkspaceChange, root: string): CheckedChange {
  const ignored: string[] = [];
  let room: number = inputLimits.changedPaths;
  const take = (): boolean => {
    if (room > 0) {
      room--;
      return true;
    }
    return false;
  };
  const pathsOf = (field: keyof WorkspaceChange): string[] => {
    const value = (raw as Record<string, unknown>)[field];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      ignored.push(`${field}: not a list of paths`);
      return [];
    }
    const paths: string[] = [];
    for (const item of value) {
      const path = checkedPath(item, root);
      if (typeof path !== "string") ignored.push(`${field}: ${path.reason}`);
      else if (!take())
        ignored.push(`${field}: ${path} (over the ${inputLimits.changedPaths} paths of one change)`);
      else paths.push(path);
    }
    return paths;
  };

  const edited: EditedDocument[] = [];
  const rawEdited = (raw as { edited?: unknown }).edited;
  if (rawEdited !== undefined && !Array.isArray(rawEdited)) ignored.push("edited: not a list of documents");
  for (const item of Array.isArray(rawEdited) ? (rawEdited as unknown[]) : []) {
    const document = checkedDocument(item, root);
    if ("reason" in document) ignored.push(`edited: ${document.reason}`);
    else if (!take())
      ignored.push(`edited: ${document.path} (over the ${inputLimits.changedPaths} paths of one change)`);
    else edited.push(document);
  }
  const change: CheckedWorkspaceChange = {
    edited,
    written: pathsOf("written"),
    deleted: pathsOf("deleted"),
    closed: pathsOf("closed"),
  };
  if ((raw as { openFiles?: unknown }).openFiles !== undefined) change.openFiles = pathsOf("openFiles");
  return { change, ignored };
}

function checkedPath(value: unknown, root: string): string | { reason: string } {
  if (typeof value !== "string" || value === "") return { reason: "a path that is not text" };
  if (value.length > inputLimits.nameChars)
    return { reason: `a path of ${value.length} characters (the limit is ${inputLimits.nameChars})` };
  if (!isAbsolute(value)) return { reason: `${value} (not an absolute path)` };
  const path = resolve(value);
  return isPathInside(root, path) ? path : { reason: `${value} (outside the workspace)` };
}

function checkedDocument(value: unknown, root: string): EditedDocument | { reason: string } {
  if (typeof value !== "object" || value === null) return { reason: "a document that is not an object" };
  const { path: rawPath, text, editedLines } = value as Record<string, unknown>;
  const path = checkedPath(rawPath, root);
  if (typeof path !== "string") return path;
  if (typeof text !== "string") return { reason: `${path} (its text is not text)` };
  if (text.length > inputLimits.documentChars)
    return {
      reason: `${path} (${text.length} characters, over the ${inputLimits.documentChars} the engine takes; its file on disk counts)`,
    };
  const lines = Array.isArray(editedLines) ? editedLines.filter(isLineRange) : [];
  return { path, text, editedLines: lines.slice(0, 100) };
}

function isLineRange(value: unknown): value is { startLine: number; endLine: number } {
  if (typeof value !== "object" || value === null) return false;
  const { startLine, endLine } = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(startLine) &&
    Number.isSafeInteger(endLine) &&
    (startLine as number) >= 0 &&
    (endLine as number) >= (startLine as number)
  );
}
