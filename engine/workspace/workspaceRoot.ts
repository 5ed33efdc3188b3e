import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { opendir, realpath, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";

export type WorkspaceRootProblem = "not a path" | "not absolute" | "missing" | "not a folder" | "unreadable";

/** A workspace root that cannot be opened: nothing was indexed from it. */
export class WorkspaceRootError extends CoopError {
  constructor(
    readonly root: string,
    readonly problem: WorkspaceRootProblem,
    message: string,
  ) {
    super(coopErrorCodes.workspaceRoot, message);
    this.name = "WorkspaceRootError";
  }
}

/**
 * Checks that a workspace root is an absolute path to a folder that can be listed, and returns it with
 * every symbolic link resolved (what paths in the workspace are held inside of).
 */
export async function checkWorkspaceRoot(root: unknown): Promise<string> {
  if (typeof root !== "string" || root === "")
    throw new WorkspaceRootError(
      String(root),
      "not a path",
      `The workspace root must be a folder's path, not ${root === "" ? "empty text" : typeof root}`,
    );
  // A relative root would be read from wherever the engine process happens to run.
  if (!isAbsolute(root))
    throw new WorkspaceRootError(
      root,
      "not absolute",
      `The workspace root must be an absolute path: ${root}`,
    );
  const stats = await stat(root).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (stats instanceof Error) {
    if (stats.code === "ENOENT" || stats.code === "ENOTDIR")
      throw new WorkspaceRootError(root, "missing", `Cannot open the workspace ${root}: it does not exist`);
    throw new WorkspaceRootError(root, "unreadable", `Cannot open the workspace ${root}: ${stats.message}`);
  }
  if (!stats.isDirectory())
    throw new WorkspaceRootError(
      root,
      "not a folder",
      `Cannot open the workspace ${root}: it is not a folder`,
    );
  try {
    await (await opendir(root)).close();
    return await realpath(root);
  } catch (error) {
    const reason = describeError(error);
    throw new WorkspaceRootError(root, "unreadable", `Cannot open the workspace ${root}: ${reason}`);
  }
}
