import { realpathSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** Whether `path` is `root` or lies under it, comparing the paths as written (no links resolved). */
export function isPathInside(root: string, path: string): boolean {
  const fromRoot = relative(resolve(root), resolve(path));
  return fromRoot === "" || (!isAbsolute(fromRoot) && fromRoot !== ".." && !fromRoot.startsWith(`..${sep}`));
}

/**
 * Where `path` really is (every symbolic link on the way resolved) when that is inside one of
 * `realRoots` (roots already resolved the same way); undefined when it leads elsewhere or does not exist.
 */
export async function realPathInside(
  realRoots: readonly string[],
  path: string,
): Promise<string | undefined> {
  const real = await realpath(path).catch(() => undefined);
  return real !== undefined && realRoots.some((root) => isPathInside(root, real)) ? real : undefined;
}

/** {@link realPathInside} for callers that read the file system synchronously. */
export function realPathInsideSync(realRoots: readonly string[], path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  return realRoots.some((root) => isPathInside(root, real)) ? real : undefined;
}

/** A root resolved as {@link realPathInside} expects it; the root as given when it cannot be resolved. */
export function realRootSync(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}
