import { posix } from "node:path";

/**
 * The workspace file a module specifier names, as TypeScript and Node resolve it: relative paths
 * (TypeScript's `.js`-for-`.ts` included), tsconfig/jsconfig `paths` and `baseUrl`, workspace packages
 * by their package.json `name` (with `exports`, `types`, `module`, `main`), and package.json `imports`
 * (`#x`). Paths are relative to the workspace root, `/`-separated. Packages outside the workspace
 * (node_modules) name no workspace file and resolve to nothing.
 */
export class ModuleResolver {
  private readonly resolved = new Map<string, string | undefined>();
  private readonly configs = new Map<string, ProjectConfig | undefined>();
  private readonly manifests = new Map<string, PackageManifest | undefined>();
  private packageFolders: Map<string, string> | undefined;

  constructor(
    /** Whether a workspace file is known (indexed). */
    private readonly exists: (path: string) => boolean,
    /** Every known workspace file (to find the workspace's packages). */
    private readonly paths: () => Iterable<string>,
    /** A workspace file's text, undefined when unreadable. */
    private readonly readText: (path: string) => string | undefined,
  ) {}

  /** Forgets what a change to `path` may alter: every resolution, and the configuration it holds. */
  invalidate(path: string): void {
    this.resolved.clear();
    const name = posix.basename(path);
    if (name === "package.json") {
      this.manifests.clear();
      this.packageFolders = undefined;
    }
    if (name === "package.json" || /^[jt]sconfig.*\.json$/.test(name)) this.configs.clear();
  }

  resolve(fromPath: string, specifier: string): string | undefined {
    const key = `${posix.dirname(fromPath)}\0${specifier}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const found = this.resolveUncached(fromPath, specifier);
    this.resolved.set(key, found);
    return found;
  }

  private resolveUncached(fromPath: string, specifier: string): string | undefined {
    const directory = posix.dirname(fromPath);
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..")
      return this.resolveFile(posix.join(directory, specifier));
    if (specifier.startsWith("/")) return undefined;
    if (specifier.startsWith("#")) return this.resolveSubpathImport(directory, specifier);
    const config = this.projectConfig(directory);
    if (config) {
      const mapped = this.resolveThroughPaths(config, specifier);
      if (mapped !== undefined) return mapped;
    }
    return this.resolveWorkspacePackage(specifier);
  }

  /** A file as written, with TypeScript's extensions, or a folder's package.json entry or index. */
  private resolveFile(base: string): string | undefined {
    const normalized = posix.normalize(base).replace(/\/$/, "");
    if (normalized.startsWith("..")) return undefined;
    const extension = posix.extname(normalized);
    const stem = normalized.slice(0, normalized.length - extension.length);
    const candidates = [
      ...(compiledToSource[extension] ?? []).map((source) => stem + source),
      ...(scriptExtensions.includes(extension) ? [normalized] : []),
      ...scriptExtensions.map((script) => normalized + script),
    ];
    const file = candidates.find(this.exists);
    if (file !== undefined) return file;
    const manifest = this.manifest(normalized);
    if (manifest) {
      const entry = this.packageEntry(normalized, manifest, ".");
      if (entry !== undefined) return entry;
    }
    return scriptExtensions.map((script) => `${normalized}/index${script}`).find(this.exists);
  }

  /** A file built from sources (dist/x.js) stands for its source when only that is in the workspace. */
  private resolveTarget(path: string): string | undefined {
    const direct = this.resolveFile(path);
    if (direct !== undefined) return direct;
    const asSource = path.replace(/(^|\/)(?:dist|lib|build|out|esm|cjs)\//, "$1src/");
    return asSource === path ? undefined : this.resolveFile(asSource.replace(/\.d\.([mc]?ts)$/, ".$1"));
  }

  private resolveThroughPaths(config: ProjectConfig, specifier: string): string | undefined {
    let best: { prefixLength: number; targets: string[]; star: string } | undefined;
    for (const [pattern, targets] of Object.entries(config.paths)) {
      const star = pattern.indexOf("*");
      if (star < 0) {
        if (pattern === specifier) {
          best = { prefixLength: Number.POSITIVE_INFINITY, targets, star: "" };
          break;
        }
        continue;
      }
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (!specifier.startsWith(prefix) || !specifier.endsWith(suffix)) continue;
      if (specifier.length < prefix.length + suffix.length) continue;
      if (best && best.prefixLength >= prefix.length) continue;
      best = {
        prefixLength: prefix.length,
        targets,
        star: specifier.slice(prefix.length, specifier.length - suffix.length),
      };
    }
    for (const target of best?.targets ?? []) {
      const found = this.resolveTarget(posix.join(config.pathsBase, target.replace("*", best!.star)));
      if (found !== undefined) return found;
    }
    return config.baseUrl === undefined ? undefined : this.resolveFile(posix.join(config.baseUrl, specifier));
  }

  private resolveWorkspacePackage(specifier: string): string | undefined {
    const parts = specifier.split("/");
    const nameLength = specifier.startsWith("@") ? 2 : 1;
    const name = parts.slice(0, nameLength).join("/");
    const folder = this.workspacePackages().get(name);
    if (folder === undefined) return undefined;
    const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join("/")}` : ".";
    const manifest = this.manifest(folder)!;
    const entry = this.packageEntry(folder, manifest, subpath);
    if (entry !== undefined || manifest.exports !== undefined) return entry;
    return this.resolveTarget(posix.join(folder, subpath));
  }

  private resolveSubpathImport(directory: string, specifier: string): string | undefined {
    for (let folder = directory; ; folder = posix.dirname(folder)) {
      const manifest = this.manifest(folder === "." ? "" : folder);
      if (manifest) {
        const target = manifest.imports && matchSubpath(manifest.imports, specifier);
        return target === undefined ? undefined : this.resolveTarget(posix.join(folder, target));
      }
      if (folder === "." || folder === "" || folder === "/") return undefined;
    }
  }

  /** The file a package's subpath (`.` or `./x`) leads to through `exports`, or its main fields. */
  private packageEntry(folder: string, manifest: PackageManifest, subpath: string): string | undefined {
    if (manifest.exports !== undefined) {
      const exportsMap =
        typeof manifest.exports === "object" &&
        manifest.exports !== null &&
        !Array.isArray(manifest.exports) &&
        Object.keys(manifest.exports).some((key) => key.startsWith("."))
          ? (manifest.exports as Record<string, unknown>)
          : { ".": manifest.exports };
      const target = matchSubpath(exportsMap, subpath);
      return target === undefined ? undefined : this.resolveTarget(posix.join(folder, target));
    }
    if (subpath !== ".") return undefined;
    for (const field of [manifest.types, manifest.typings, manifest.module, manifest.main]) {
      if (typeof field !== "string") continue;
      const found = this.resolveTarget(posix.join(folder, field));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Package names of the workspace's own packages (package.json outside node_modules) and their folders. */
  private workspacePackages(): Map<string, string> {
    if (this.packageFolders) return this.packageFolders;
    const folders = new Map<string, string>();
    for (const path of this.paths()) {
      if (posix.basename(path) !== "package.json" || /(^|\/)node_modules\//.test(path)) continue;
      const folder = posix.dirname(path) === "." ? "" : posix.dirname(path);
      const name = this.manifest(folder)?.name;
      if (typeof name === "string" && !folders.has(name)) folders.set(name, folder);
    }
    this.packageFolders = folders;
    return folders;
  }

  private manifest(folder: string): PackageManifest | undefined {
    if (this.manifests.has(folder)) return this.manifests.get(folder);
    const path = folder === "" ? "package.json" : `${folder}/package.json`;
    const parsed = this.exists(path) ? parseJson(this.readText(path)) : undefined;
    const manifest = isObject(parsed) ? (parsed as PackageManifest) : undefined;
    this.manifests.set(folder, manifest);
    return manifest;
  }

  /** The nearest tsconfig.json or jsconfig.json at or above a folder, with `extends` followed. */
  private projectConfig(directory: string): ProjectConfig | undefined {
    const folder = directory === "." ? "" : directory;
    if (this.configs.has(folder)) return this.configs.get(folder);
    let config: ProjectConfig | undefined;
    for (const name of ["tsconfig.json", "jsconfig.json"]) {
      config = this.readProjectConfig(folder === "" ? name : `${folder}/${name}`, 0);
      if (config) break;
    }
    if (!config && folder !== "") config = this.projectConfig(posix.dirname(folder));
    this.configs.set(folder, config);
    return config;
  }

  private readProjectConfig(path: string, depth: number): ProjectConfig | undefined {
    const parsed = this.exists(path) ? parseJson(this.readText(path)) : undefined;
    if (!isObject(parsed)) return undefined;
    const folder = posix.dirname(path);
    const options = isObject(parsed.compilerOptions) ? parsed.compilerOptions : {};
    let base: ProjectConfig = { paths: {}, pathsBase: folder };
    const parent = typeof parsed.extends === "string" ? parsed.extends : undefined;
    if (parent && depth < 5 && parent.startsWith(".")) {
      const parentPath = posix.join(folder, parent.endsWith(".json") ? parent : `${parent}.json`);
      base = this.readProjectConfig(parentPath, depth + 1) ?? base;
    }
    const baseUrl = typeof options.baseUrl === "string" ? posix.join(folder, options.baseUrl) : base.baseUrl;
    const paths = isObject(options.paths) ? pathsOf(options.paths) : undefined;
    return {
      paths: paths ?? base.paths,
      pathsBase: paths ? (baseUrl ?? folder) : base.pathsBase,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
    };
  }
}

interface ProjectConfig {
  /** `compilerOptions.paths`, its targets relative to `pathsBase`. */
  paths: Record<string, string[]>;
  pathsBase: string;
  baseUrl?: string;
}

interface PackageManifest {
  name?: unknown;
  exports?: unknown;
  imports?: Record<string, unknown>;
  types?: unknown;
  typings?: unknown;
  module?: unknown;
  main?: unknown;
}

const scriptExtensions = [".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
/** TypeScript sources import their siblings by the name they will have once compiled. */
const compiledToSource: Record<string, string[]> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".jsx": [".tsx"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
};
/** Conditions read in `exports`/`imports`, the ones that lead to sources and types first. */
const conditions = ["types", "typescript", "source", "import", "module", "node", "require", "default"];

/** The target a subpath maps to in an `exports`/`imports` map: exact keys first, then `*` patterns. */
function matchSubpath(map: Record<string, unknown>, subpath: string): string | undefined {
  if (subpath in map) return conditionTarget(map[subpath], "");
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix)) continue;
    if (subpath.length < prefix.length + suffix.length) continue;
    if (best && best.key.indexOf("*") >= prefix.length) continue;
    best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
  }
  return best && conditionTarget(map[best.key], best.star);
}

/** A string target, or the first of the known conditions (nested) that leads to one. */
function conditionTarget(value: unknown, star: string): string | undefined {
  if (typeof value === "string") return value.replaceAll("*", star);
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = conditionTarget(item, star);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  for (const condition of conditions) {
    if (!(condition in value)) continue;
    const target = conditionTarget(value[condition], star);
    if (target !== undefined) return target;
  }
  return undefined;
}

function pathsOf(value: Record<string, unknown>): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const [pattern, targets] of Object.entries(value))
    if (Array.isArray(targets))
      paths[pattern] = targets.filter((target): target is string => typeof target === "string");
  return paths;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with the comments and trailing commas tsconfig allows; undefined when it does not parse. */
function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(withoutJsonComments(text).replace(/,(\s*[}\]])/g, "$1"));
    } catch {
      return undefined;
    }
  }
}

/** Drops `//` and `/* *\/` comments outside strings. */
function withoutJsonComments(text: string): string {
  let out = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') {
      const end = stringEnd(text, index);
      out += text.slice(index, end);
      index = end - 1;
    } else if (char === "/" && text[index + 1] === "/") {
      while (index < text.length && text[index] !== "\n") index++;
      out += "\n";
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      index = end < 0 ? text.length : end + 1;
    } else out += char;
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === "\\") index++;
    else if (text[index] === '"') return index + 1;
  }
  return text.length;
}
