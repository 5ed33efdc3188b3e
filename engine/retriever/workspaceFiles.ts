import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";

/**
 * Patterns (gitignore syntax) every workspace walk starts from: dependencies, VCS data, build output,
 * generated files.
 */
export const defaultIgnorePatterns: readonly string[] = [
  ".git/",
  ".hg/",
  ".svn/",
  "node_modules/",
  "bower_components/",
  ".venv/",
  "venv/",
  "__pycache__/",
  "dist/",
  "build/",
  "out/",
  "target/",
  "coverage/",
  ".next/",
  ".nuxt/",
  ".cache/",
  ".turbo/",
  ".gradle/",
  "*.map",
  "*.min.js",
  "*.min.css",
  "package-lock.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "Cargo.lock",
  "*.lock",
];

export interface WalkOptions {
  /** Replaces {@link defaultIgnorePatterns}. */
  defaultIgnores?: readonly string[];
  /** More gitignore patterns, applied after the defaults (so `!dist/` re-includes). */
  extraIgnores?: readonly string[];
}

export interface WorkspaceFile {
  /** Relative to the root, with `/` separators. */
  path: string;
  absolutePath: string;
  mtimeMs: number;
  size: number;
}

interface Rules {
  /** Directory the rules are relative to, relative to the root ("" for the root). */
  base: string;
  matcher: Ignore;
}

/**
 * The files of a workspace that are not ignored, depth-first in name order. Each directory's
 * .gitignore applies below it, and a deeper file's rules win over a shallower one's, as in git.
 * Symbolic links to directories are not followed (they can loop).
 */
export async function* walkWorkspace(root: string, options: WalkOptions = {}): AsyncGenerator<WorkspaceFile> {
  const defaults = ignore().add([
    ...(options.defaultIgnores ?? defaultIgnorePatterns),
    ...(options.extraIgnores ?? []),
  ]);
  yield* walkDirectory(root, "", [{ base: "", matcher: defaults }]);
}

/**
 * Whether a path (relative to the root, `/`-separated, directories ending in `/`) is ignored by the rules in
 * force.
 */
export function isIgnored(path: string, rules: readonly Rules[]): boolean {
  for (let index = rules.length - 1; index >= 0; index--) {
    const { base, matcher } = rules[index]!;
    const result = matcher.test(base === "" ? path : path.slice(base.length + 1));
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

async function* walkDirectory(
  root: string,
  dir: string,
  inherited: readonly Rules[],
): AsyncGenerator<WorkspaceFile> {
  const absoluteDir = dir === "" ? root : join(root, dir);
  let entries;
  try {
    entries = await readdir(absoluteDir, { withFileTypes: true });
  } catch {
    return; // vanished or unreadable while walking
  }
  const rules = [...inherited];
  const gitignore = entries.find((entry) => entry.name === ".gitignore" && entry.isFile());
  if (gitignore) {
    const text = await readFile(join(absoluteDir, ".gitignore"), "utf8").catch(() => "");
    rules.push({ base: dir, matcher: ignore().add(text) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isIgnored(`${path}/`, rules)) yield* walkDirectory(root, path, rules);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (isIgnored(path, rules)) continue;
    const absolutePath = join(root, path);
    const stats = await stat(absolutePath).catch(() => undefined);
    if (!stats?.isFile()) continue;
    yield { path, absolutePath, mtimeMs: stats.mtimeMs, size: stats.size };
  }
}

/**
 * Whether one path (relative to the root, `/`-separated) is ignored, reading the .gitignore files on its way.
 */
export async function isWorkspacePathIgnored(
  root: string,
  path: string,
  options: WalkOptions = {},
): Promise<boolean> {
  const rules: Rules[] = [
    {
      base: "",
      matcher: ignore().add([
        ...(options.defaultIgnores ?? defaultIgnorePatterns),
        ...(options.extraIgnores ?? []),
      ]),
    },
  ];
  const segments = path.split("/");
  for (let depth = 0; depth < segments.length; depth++) {
    const dir = segments.slice(0, depth).join("/");
    const text = await readFile(join(root, dir, ".gitignore"), "utf8").catch(() => undefined);
    if (text !== undefined) rules.push({ base: dir, matcher: ignore().add(text) });
    const prefix = segments.slice(0, depth + 1).join("/");
    const isLast = depth === segments.length - 1;
    if (isIgnored(isLast ? prefix : `${prefix}/`, rules)) return true;
  }
  return false;
}
