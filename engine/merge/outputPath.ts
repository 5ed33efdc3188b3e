import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/**
 * The absolute path with every symlink resolved, as far as it exists (a file not written yet through its
 * folder).
 */
function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute));
  }
}

/** Device and inode, so two hard links of one file are told to be the same; undefined when absent. */
function fileIdentity(path: string): string | undefined {
  try {
    const { dev, ino } = statSync(path);
    return `${dev}:${ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The first of `inputs` that writing `output` would replace or that is `output` itself: the same path once
 * symlinks (of the file or of any folder above it) are resolved, or the same file through a hard link.
 */
export function inputAtOutput(output: string, inputs: readonly string[]): string | undefined {
  const target = canonicalPath(output);
  const identity = fileIdentity(target);
  return inputs.find(
    (input) =>
      canonicalPath(input) === target || (identity !== undefined && fileIdentity(input) === identity),
  );
}
