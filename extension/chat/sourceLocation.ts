import { realpath } from "node:fs/promises";
import { isAbsolute, resolve, win32 } from "node:path";
import { isPathInside } from "../../engine/workspace/pathContainment.js";

export type SourceLocation =
  /** The file to open, with its symbolic links resolved. */
  | { file: string }
  /** Not opened: the path leads outside the workspace folders (the message says so). */
  | { refused: string }
  /** Not opened: nothing is there any more. */
  | { missing: string };

/**
 * Where a chat source's path (workspace-relative, `/`-separated, as the engine reports it and the
 * webview sends it back) really is: taken relative to the folder the engine indexed, with `..` and
 * symbolic links resolved, and refused unless it stays inside one of the workspace folders. The
 * webview is not trusted with paths: whatever it sends, nothing outside the workspace is opened.
 */
export async function locateSource(
  /** The workspace's folders on disk; the first is the one the engine indexed. */
  folders: readonly string[],
  sourcePath: string,
): Promise<SourceLocation> {
  const base = folders[0];
  if (base === undefined) return { refused: `no workspace folder is open to find ${sourcePath} in` };
  const outside: SourceLocation = {
    refused: `${sourcePath} is not in the workspace folders, so Coop did not open it`,
  };
  if (isAbsolute(sourcePath) || win32.isAbsolute(sourcePath) || sourcePath.includes("\0")) return outside;
  const candidate = resolve(base, ...sourcePath.split("/"));
  if (!folders.some((folder) => isPathInside(folder, candidate))) return outside;
  const file = await realpath(candidate).catch(() => undefined);
  if (file === undefined) return { missing: `${sourcePath} is no longer in the workspace` };
  const realFolders = await Promise.all(
    folders.map((folder) => realpath(folder).catch(() => resolve(folder))),
  );
  return realFolders.some((folder) => isPathInside(folder, file)) ? { file } : outside;
}
