import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { realPathInsideSync, realRootSync } from "../workspace/index.js";

/** The dependencies a project declares, per ecosystem (names as declared). */
export interface DeclaredDependencies {
  npm: Set<string>;
  python: Set<string>;
  go: Set<string>;
  cargo: Set<string>;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * A file's text when it is inside the workspace once symbolic links are resolved (`realRoot` resolved
 * the same way); undefined when it is missing or leads out of the workspace, which is never read.
 */
export function readTextInside(realRoot: string, path: string): string | undefined {
  const real = realPathInsideSync([realRoot], path);
  return real === undefined ? undefined : readText(real);
}

/**
 * Whether `path` is a folder inside the workspace: a real folder (under one already inside) or a
 * symbolic link that stays inside.
 */
export function isFolderInside(realRoot: string, path: string): boolean {
  try {
    const stats = lstatSync(path);
    if (stats.isDirectory()) return true;
    if (!stats.isSymbolicLink()) return false;
  } catch {
    return false;
  }
  const real = realPathInsideSync([realRoot], path);
  return real !== undefined && isDirectory(real);
}

/** PEP 503 normalisation, then `-` to `_` since import names cannot hold dashes. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "_");
}

const npmSections = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/** The dependency names of a package.json text (and its own name, importable from itself). */
export function npmDependenciesOf(packageJson: string): string[] {
  try {
    const manifest = JSON.parse(packageJson) as Record<string, unknown>;
    const names = npmSections.flatMap((section) =>
      Object.keys((manifest[section] as Record<string, string> | undefined) ?? {}),
    );
    if (typeof manifest.name === "string") names.push(manifest.name);
    return names;
  } catch {
    return [];
  }
}

/** Requirement names from a requirements.txt text (options, includes, URLs and markers skipped). */
export function requirementsOf(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "" || line.startsWith("-")) continue;
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
    if (name !== undefined) names.push(name);
  }
  return names;
}

/** Dependency names from pyproject.toml: PEP 621 `dependencies` / optional ones, and Poetry tables. */
export function pyprojectDependenciesOf(text: string): string[] {
  const names: string[] = [];
  let section = "";
  let inArray = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s#.*$/, "").trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      section = header[1]!.trim();
      inArray = false;
      continue;
    }
    if (
      inArray ||
      (section === "project" && /^dependencies\s*=/.test(line)) ||
      section === "project.optional-dependencies"
    ) {
      for (const match of line.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)/g)) names.push(match[1]!);
      if (/=\s*\[/.test(line) || inArray) inArray = !line.includes("]");
      continue;
    }
    if (/^tool\.poetry\.(dev-)?dependencies$|^tool\.poetry\.group\.[^.]+\.dependencies$/.test(section)) {
      const key = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=/.exec(line)?.[1];
      if (key !== undefined && key !== "python") names.push(key);
    }
  }
  return names;
}

/** Module paths required by a go.mod. */
export function goRequirementsOf(text: string): string[] {
  const names: string[] = [];
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (/^require\s*\($/.test(line)) inBlock = true;
    else if (inBlock && line === ")") inBlock = false;
    else {
      const match = inBlock ? /^(\S+)\s+v\S+/.exec(line) : /^require\s+(\S+)\s+v\S+/.exec(line);
      if (match !== null) names.push(match[1]!);
    }
  }
  return names;
}

/** Crate names from a Cargo.toml's dependency tables. */
export function cargoDependenciesOf(text: string): string[] {
  const names: string[] = [];
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s#.*$/, "").trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      section = header[1]!.trim();
      const table = /^(?:target\..+\.)?(?:dev-|build-)?dependencies\.(.+)$/.exec(section);
      if (table !== null) names.push(table[1]!.replace(/^"|"$/g, ""));
      continue;
    }
    if (/^(?:target\..+\.)?(?:dev-|build-)?dependencies$/.test(section)) {
      const key = /^([A-Za-z0-9_-]+)\s*=/.exec(line)?.[1];
      if (key !== undefined) names.push(key);
    }
  }
  return names;
}

/** Reads every manifest at the root (and requirements*.txt variants); none outside the workspace. */
export function readDeclaredDependencies(
  root: string,
  extraPackageJsons: readonly string[] = [],
): DeclaredDependencies {
  const realRoot = realRootSync(root);
  const declared: DeclaredDependencies = {
    npm: new Set(),
    python: new Set(),
    go: new Set(),
    cargo: new Set(),
  };
  for (const text of [readTextInside(realRoot, join(root, "package.json")), ...extraPackageJsons]) {
    if (text !== undefined) for (const name of npmDependenciesOf(text)) declared.npm.add(name);
  }
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (/^requirements.*\.txt$/i.test(entry))
      for (const name of requirementsOf(readTextInside(realRoot, join(root, entry)) ?? ""))
        declared.python.add(name);
  }
  for (const name of pyprojectDependenciesOf(readTextInside(realRoot, join(root, "pyproject.toml")) ?? ""))
    declared.python.add(name);
  for (const name of goRequirementsOf(readTextInside(realRoot, join(root, "go.mod")) ?? ""))
    declared.go.add(name);
  for (const name of cargoDependenciesOf(readTextInside(realRoot, join(root, "Cargo.toml")) ?? ""))
    declared.cargo.add(name);
  return declared;
}

/** Package folders installed in node_modules (`name` and `@scope/name`). */
export function installedNpmPackages(root: string): Set<string> {
  const installed = new Set<string>();
  const modules = join(root, "node_modules");
  if (!existsSync(modules)) return installed;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) {
      for (const scoped of safeReaddir(join(modules, entry))) installed.add(`${entry}/${scoped}`);
    } else {
      installed.add(entry);
    }
  }
  return installed;
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
