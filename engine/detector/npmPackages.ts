import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { declarationExports, type PackageExports, type SurfaceCache } from "./declarationExports.js";
import { isDirectory } from "./dependencies.js";

// Installed npm packages as Node and TypeScript resolve them: `node_modules/<name>` in the workspace root
// or any folder above it (hoisted monorepos), through symbolic links (pnpm-like layouts). Their manifests
// and type declarations are read for names only: never indexed for retrieval nor sent anywhere.

/** Subpaths per package read at load (date-fns exports hundreds); the rest are not judged. */
const maxSubpathsPerPackage = 16;

interface Manifest {
  types?: unknown;
  typings?: unknown;
  main?: unknown;
  exports?: unknown;
}

/**
 * How the workspace's files load packages, from its package.json text: `"type": "module"` makes them ES
 * modules. Per-file extensions (.mts, .cts) are not told apart: the workspace's kind stands for all.
 */
export function moduleKindOf(packageJson: string | undefined): ModuleKind {
  try {
    return (JSON.parse(packageJson ?? "{}") as { type?: unknown }).type === "module" ? "esm" : "cjs";
  } catch {
    return "cjs";
  }
}

/** The folder of an installed package, looked up from `root` upwards as Node does. */
export function installedPackageDir(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (isDirectory(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function readManifest(packageDir: string): Manifest | undefined {
  try {
    const manifest: unknown = JSON.parse(readText(join(packageDir, "package.json")) ?? "");
    return typeof manifest === "object" && manifest !== null ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `exports` entry for a subpath ("." or "./x"): exact keys, then `*` patterns. Undefined when the map
 * does not export it; null when the package has no exports map (every file is reachable).
 */
function exportsEntry(manifest: Manifest, subpath: string): unknown {
  const map = manifest.exports;
  if (map === undefined || map === null) return null;
  const keyed =
    typeof map === "object" && !Array.isArray(map) && Object.keys(map).some((key) => key.startsWith("."));
  if (!keyed) return subpath === "." ? map : undefined;
  const entries = map as Record<string, unknown>;
  if (subpath in entries) return entries[subpath];
  for (const [key, target] of Object.entries(entries)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const matched = subpath.slice(prefix.length, subpath.length - suffix.length);
      return JSON.parse(JSON.stringify(target).replaceAll("*", matched)) as unknown;
    }
  }
  return undefined;
}

/** Every target path an exports entry names, under any condition. */
function entryTargets(entry: unknown): string[] {
  if (typeof entry === "string") return [entry];
  if (Array.isArray(entry)) return entry.flatMap(entryTargets);
  if (typeof entry === "object" && entry !== null) return Object.values(entry).flatMap(entryTargets);
  return [];
}

/** The conditions TypeScript matches (NodeNext) in an ES module or a CommonJS one. */
export type ModuleKind = "esm" | "cjs";
const conditionsOf: Record<ModuleKind, Set<string>> = {
  esm: new Set(["types", "import", "node", "default"]),
  cjs: new Set(["types", "require", "node", "default"]),
};

/** The target an exports entry resolves to as TypeScript resolves it: the first matching condition wins. */
function resolveConditions(entry: unknown, conditions: Set<string>): string | undefined {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) {
    for (const option of entry) {
      const target = resolveConditions(option, conditions);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (typeof entry !== "object" || entry === null) return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (!conditions.has(condition)) continue;
    const target = resolveConditions(value, conditions);
    // A `types` target that is not a declaration file does not count; the next condition may.
    if (target !== undefined && (condition !== "types" || declarationFile.test(target))) return target;
  }
  return undefined;
}

const declarationFile = /\.d\.(m|c)?ts$/;

function declarationOfTarget(packageDir: string, target: string): string | undefined {
  const path = join(packageDir, target);
  if (declarationFile.test(path)) return path;
  const stem = path.replace(/\.(m|c)?js$/, "");
  const kind = /\.(m|c)js$/.exec(path)?.[1] ?? "";
  for (const candidate of [`${stem}.d.${kind}ts`, `${stem}.d.ts`, join(path, "index.d.ts")])
    if (existsSync(candidate)) return candidate;
  return undefined;
}

/**
 * The entries of an installed package worth reading the exports of: "." and the exact subpaths of its
 * exports map ("./non-secure"), not patterns nor package.json; "." alone when not installed.
 */
export function exportedSubpaths(root: string, name: string): string[] {
  const packageDir = installedPackageDir(root, name);
  const map = packageDir === undefined ? undefined : readManifest(packageDir)?.exports;
  if (typeof map !== "object" || map === null || Array.isArray(map)) return ["."];
  const subpaths = Object.keys(map).filter(
    (key) => key.startsWith("./") && !key.includes("*") && !key.endsWith(".json") && !key.endsWith("/"),
  );
  return [".", ...subpaths.slice(0, maxSubpathsPerPackage)];
}

const moduleFileEndings = [
  "",
  ".js",
  ".cjs",
  ".mjs",
  ".json",
  ".d.ts",
  "/index.js",
  "/package.json",
  "/index.d.ts",
];

function moduleFileExists(path: string): boolean {
  return moduleFileEndings.some((ending) => existsSync(path + ending));
}

/**
 * Whether an installed package has a subpath (`clsx/lite`): per its exports map, else on disk. A package
 * whose own entry is not on disk either (a partial install) is not judged.
 */
export function packageHasSubpath(packageDir: string, subpath: string): boolean {
  const manifest = readManifest(packageDir);
  if (manifest === undefined) return true;
  const entry = exportsEntry(manifest, `./${subpath}`);
  if (entry === undefined) return false;
  if (entry !== null) return entryTargets(entry).length > 0;
  const main = typeof manifest.main === "string" ? manifest.main : "index.js";
  if (!moduleFileExists(join(packageDir, main))) return true;
  return moduleFileExists(join(packageDir, subpath));
}

/**
 * The declaration file of a package entry ("." or "./x") for a module kind: the exports map's target
 * under TypeScript's conditions, else `types`/`typings`, `main`, index.d.ts. Undefined without one.
 */
function entryDeclarationFile(
  packageDir: string,
  manifest: Manifest,
  subpath: string,
  kind: ModuleKind,
): string | undefined {
  const entry = exportsEntry(manifest, subpath);
  if (entry === undefined) return undefined;
  if (entry !== null) {
    const target = resolveConditions(entry, conditionsOf[kind]);
    return target === undefined ? undefined : declarationOfTarget(packageDir, target);
  }
  const fields = subpath === "." ? [manifest.types, manifest.typings, manifest.main, "index.js"] : [subpath];
  for (const field of fields) {
    if (typeof field !== "string") continue;
    const file = declarationOfTarget(packageDir, field);
    if (file !== undefined) return file;
  }
  return undefined;
}

/** The DefinitelyTyped package for a name: `@types/x`, `@types/scope__x`. */
function typesPackageName(name: string): string {
  return `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`;
}

/**
 * What an installed package (or one of its subpaths) exports per its type declarations, or those of its
 * @types package; undefined without declarations.
 */
export async function installedPackageExports(
  root: string,
  name: string,
  subpath: string,
  kind: ModuleKind,
  parsed?: SurfaceCache,
): Promise<PackageExports | undefined> {
  for (const candidate of [name, typesPackageName(name)]) {
    const packageDir = installedPackageDir(root, candidate);
    const manifest = packageDir === undefined ? undefined : readManifest(packageDir);
    if (packageDir === undefined || manifest === undefined) continue;
    const file = entryDeclarationFile(packageDir, manifest, subpath, kind);
    if (file !== undefined) return declarationExports(file, readText, parsed);
  }
  return undefined;
}
