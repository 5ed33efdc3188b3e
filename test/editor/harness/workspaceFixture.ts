import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, normalize, isAbsolute } from "node:path";

/** Files of a workspace, by path relative to its root (text or bytes). */
export type WorkspaceFiles = Record<string, string | Uint8Array>;

/** Adds `more` to `files`; the same path twice with different contents is a mistake in the fixtures. */
export function mergeWorkspaceFiles(
  files: WorkspaceFiles,
  more: WorkspaceFiles,
  from: string,
): WorkspaceFiles {
  const merged = { ...files };
  for (const [path, contents] of Object.entries(more)) {
    const existing = merged[path];
    if (existing !== undefined && !sameContents(existing, contents)) {
      throw new Error(
        `${from} declares the workspace file ${path}, which another scenario of its session declares differently`,
      );
    }
    merged[path] = contents;
  }
  return merged;
}

/** Writes the files into `root` (created if needed). */
export async function createWorkspace(root: string, files: WorkspaceFiles): Promise<string> {
  await mkdir(root, { recursive: true });
  for (const [path, contents] of Object.entries(files)) {
    const relative = normalize(path);
    if (isAbsolute(relative) || relative.startsWith(".."))
      throw new Error(`workspace file ${path} is outside the workspace`);
    await mkdir(dirname(join(root, relative)), { recursive: true });
    await writeFile(join(root, relative), contents);
  }
  return root;
}

function sameContents(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
