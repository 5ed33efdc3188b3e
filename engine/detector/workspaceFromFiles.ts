import { existsSync } from "node:fs";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { isJavaScriptFamily, languageForPath, type LanguageId } from "../syntax/index.js";
import { realRootSync } from "../workspace/index.js";
import { javaScriptInstanceMembers } from "./data/builtins.js";
import {
  installedNpmPackages,
  isDirectory,
  normalizePythonName,
  readDeclaredDependencies,
  readTextInside,
  safeReaddir,
  type DeclaredDependencies,
} from "./dependencies.js";
import type { PackageExports, SurfaceCache } from "./declarationExports.js";
import { indexFile, type IndexedFile } from "./fileIndex.js";
import {
  exportsThrough,
  moduleSurface,
  namespaceThrough,
  type ModuleGraph,
  type ModuleSurface,
} from "./moduleSurface.js";
import {
  exportedSubpaths,
  installedPackageDir,
  installedPackageExports,
  moduleKindOf,
  packageHasSubpath,
} from "./npmPackages.js";
import type { PyModule } from "./python/moduleModel.js";
import { exportsThroughStars, readInstalledModule } from "./python/installedModules.js";
import { warmStdlibStubs } from "./python/stdlibStubs.js";
import { findSitePackages, installedPythonModules } from "./sitePackages.js";
import type { DetectorWorkspace, WorkspaceDefinition } from "./workspace.js";

export interface WorkspaceFile {
  /** Relative to the root (either separator), or absolute under it. */
  path: string;
  text: string;
}

const containerKinds = new Set(["class", "interface", "enum", "module"]);
/** Text that may re-export through another module: `export *`, or a namespace import it may re-export. */
const reexports = /\bexport\s*\*|\bimport\s*\*\s*as\b/;
/** CommonJS exports: the file's index (fileIndex) knows its exports are not knowable. */
const commonJs = /\bmodule\.exports\b|\bexports\.[A-Za-z_$]/;

const jsExtensions = [".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".json"];
/** Up to how many installed npm packages all are read for their exports (else the declared ones). */
const maxInstalledNpmPackagesRead = 100;

/** How many files of installed Python packages are read for their exports. */
const maxInstalledPythonFiles = 400;

/**
 * Indexes a small workspace for the detector: definitions of every file (through engine/syntax),
 * declared dependencies (package.json, requirements/pyproject, go.mod, Cargo.toml), installed ones
 * (node_modules with their `types`, site-packages folders) and module exports. Build it once and
 * update files as they change; checks then cost no file system work.
 */
export async function workspaceFromFiles(
  files: readonly WorkspaceFile[],
  options: { root: string },
): Promise<IndexedWorkspace> {
  const workspace = new IndexedWorkspace(options.root);
  await workspace.loadDependencies(files);
  await workspace.updateFiles(files);
  return workspace;
}

export class IndexedWorkspace implements DetectorWorkspace {
  private readonly files = new Map<string, IndexedFile>();
  private readonly topLevel = new Map<string, WorkspaceDefinition[]>();
  private readonly members = new Map<string, Set<string>>();
  private readonly membersCache = new Map<string, Set<string> | undefined>();
  private declared: DeclaredDependencies = {
    npm: new Set(),
    python: new Set(),
    go: new Set(),
    cargo: new Set(),
  };
  private npmInstalled = new Set<string>();
  /** Per package specifier (`zod`, `nanoid/non-secure`), the names its type declarations export. */
  private readonly npmExports = new Map<string, PackageExports | undefined>();
  /** Surfaces of the workspace's JS/TS files that re-export through other modules (`export *`). */
  private readonly reexportingFiles = new Map<string, ModuleSurface | undefined>();
  /** The workspace's modules as a graph of re-exports, for exportsThrough and namespaceThrough. */
  private readonly moduleGraph: ModuleGraph = {
    surfaceOf: (path) => {
      if (this.reexportingFiles.has(path)) return this.reexportingFiles.get(path);
      const exports = this.files.get(path)?.exports;
      return exports && { names: exports, stars: [], namespaces: new Map() };
    },
    resolve: (fromFile, specifier) =>
      specifier.startsWith(".") ? this.resolveRelativeJs(fromFile, specifier) : undefined,
  };
  /** Per `package/subpath` specifier checked, whether the installed package has it. */
  private readonly npmSubpaths = new Map<string, boolean>();
  private pythonInstalled = new Map<string, string>();
  private readonly pythonInstalledExports = new Map<string, Set<string> | undefined>();
  /** Whether a dotted name inside an installed package is a module, as found on disk (checks stay off it). */
  private readonly pythonInstalledSubmodules = new Map<string, boolean>();
  /** Installed packages' modules read for their classes; replaced, not mutated, on each reload. */
  private pythonInstalledModels: ReadonlyMap<string, PyModule> = new Map();
  private tsconfigAliases: string[] = [];
  /**
   * Derived from the files on each change: top-level Python module names, folders holding Python files, bases
   * per class.
   */
  private pythonTopModules = new Set<string>();
  private pythonFolders = new Set<string>();
  private readonly basesByClass = new Map<string, { language: LanguageId; bases: string[] }[]>();

  /** The root with its symbolic links resolved: manifests and installed packages outside it are not read. */
  private readonly realRoot: string;

  constructor(readonly root: string) {
    this.realRoot = realRootSync(root);
  }

  /** The dependencies the manifests declare. */
  declaredDependencies(): DeclaredDependencies {
    return this.declared;
  }

  async loadDependencies(files: readonly WorkspaceFile[] = []): Promise<void> {
    const nestedManifests = files
      .filter(
        (file) =>
          /(^|[\\/])package\.json$/.test(file.path) && this.relativePath(file.path) !== "package.json",
      )
      .map((file) => file.text);
    this.declared = readDeclaredDependencies(this.root, nestedManifests);
    this.npmInstalled = installedNpmPackages(this.root);
    this.tsconfigAliases = readTsconfigAliases(this.root, this.realRoot);
    this.npmExports.clear();
    this.npmSubpaths.clear();
    const kind = moduleKindOf(readTextInside(this.realRoot, join(this.root, "package.json")));
    const parsed: SurfaceCache = new Map();
    for (const name of this.packagesToRead())
      for (const subpath of exportedSubpaths(this.root, name))
        this.npmExports.set(
          subpath === "." ? name : `${name}/${subpath.slice(2)}`,
          await installedPackageExports(this.root, name, subpath, kind, parsed),
        );
    this.pythonInstalled = new Map();
    for (const site of findSitePackages(this.root))
      for (const [name, path] of installedPythonModules(site)) this.pythonInstalled.set(name, path);
    this.pythonInstalledExports.clear();
    this.pythonInstalledSubmodules.clear();
    const models = new Map<string, PyModule>();
    let budget = maxInstalledPythonFiles;
    for (const [name, path] of this.pythonInstalled) {
      for (const [dotted, file] of pythonModuleFiles(name, path)) {
        if (budget-- <= 0) break;
        const model = await readInstalledModule(dotted, file, (path) => readTextInside(this.realRoot, path));
        if (model !== undefined) models.set(dotted, model);
        this.pythonInstalledExports.set(dotted, model && installedModuleExports(file, model));
      }
    }
    for (const [dotted, exports] of this.pythonInstalledExports)
      if (exports === undefined) this.pythonInstalledExports.set(dotted, exportsThroughStars(dotted, models));
    this.pythonInstalledModels = models;
    if (models.size > 0 || this.declared.python.size > 0) warmStdlibStubs();
  }

  /**
   * The npm packages whose exports are read: the declared ones, and every installed one in a small
   * node_modules (a large one mostly holds transitive dependencies, which imports rarely name).
   */
  private packagesToRead(): Set<string> {
    return this.npmInstalled.size > maxInstalledNpmPackagesRead
      ? this.declared.npm
      : new Set([...this.declared.npm, ...this.npmInstalled]);
  }

  pythonModules(): ReadonlyMap<string, PyModule> {
    return this.pythonInstalledModels;
  }

  /** Adds or re-indexes one file (path relative to the root). */
  async updateFile(path: string, text: string): Promise<void> {
    await this.updateFiles([{ path, text }]);
  }

  /** Adds or re-indexes files, rebuilding the name tables once. */
  async updateFiles(files: readonly WorkspaceFile[]): Promise<void> {
    for (const { path, text } of files) {
      const relativePath = this.relativePath(path);
      const language = languageForPath(relativePath);
      if (language !== undefined) this.files.set(relativePath, await indexFile(relativePath, text, language));
      if (language === "python") warmStdlibStubs();
      this.reexportingFiles.delete(relativePath);
      if (
        language !== undefined &&
        isJavaScriptFamily(language) &&
        reexports.test(text) &&
        !commonJs.test(text)
      )
        this.reexportingFiles.set(relativePath, await moduleSurface(text));
    }
    this.rebuildTables();
  }

  removeFile(path: string): void {
    this.reexportingFiles.delete(this.relativePath(path));
    if (this.files.delete(this.relativePath(path))) this.rebuildTables();
  }

  private relativePath(path: string): string {
    const relativeToRoot = isAbsolute(path) ? relative(this.root, path) : path;
    return relativeToRoot.split(sep).join("/").replace(/\\/g, "/").replace(/^\.\//, "");
  }

  private rebuildTables(): void {
    this.topLevel.clear();
    this.members.clear();
    this.membersCache.clear();
    this.basesByClass.clear();
    this.pythonTopModules = new Set();
    this.pythonFolders = new Set();
    for (const file of this.files.values()) {
      for (const [name, bases] of file.bases) {
        let list = this.basesByClass.get(name);
        if (list === undefined) this.basesByClass.set(name, (list = []));
        list.push({ language: file.language, bases });
      }
      if (file.language === "python") {
        for (const modulePath of pythonRoots(file.path)) this.pythonTopModules.add(modulePath.split(".")[0]!);
        for (let dir = posix.dirname(file.path); dir !== "." && dir !== ""; dir = posix.dirname(dir))
          this.pythonFolders.add(dir);
      }
      for (const definition of file.definitions) {
        if (definition.container === undefined) {
          let list = this.topLevel.get(definition.name);
          if (list === undefined) this.topLevel.set(definition.name, (list = []));
          list.push(definition);
        } else {
          let set = this.members.get(definition.container);
          if (set === undefined) this.members.set(definition.container, (set = new Set()));
          set.add(definition.name);
        }
      }
    }
  }

  hasSymbol(name: string): boolean {
    return this.topLevel.has(name);
  }

  membersOf(containerName: string): Set<string> | undefined {
    if (!this.membersCache.has(containerName)) {
      this.membersCache.set(containerName, undefined); // guards against cyclic bases
      this.membersCache.set(containerName, this.computeMembers(containerName));
    }
    return this.membersCache.get(containerName);
  }

  private computeMembers(name: string): Set<string> | undefined {
    const definitions = this.topLevel.get(name);
    // A name that is also a function, variable or type alias somewhere is ambiguous: not knowable.
    if (definitions === undefined || !definitions.every((definition) => containerKinds.has(definition.kind)))
      return undefined;
    const members = new Set(this.members.get(name) ?? []);
    for (const { language, bases } of this.basesByClass.get(name) ?? []) {
      for (const base of bases) {
        if (base === "object") continue;
        const inherited =
          this.membersOf(base) ??
          (isJavaScriptFamily(language) ? javaScriptInstanceMembers(base) : undefined);
        if (inherited === undefined) return undefined;
        for (const member of inherited) members.add(member);
      }
    }
    return members;
  }

  *symbolNames(): Iterable<string> {
    yield* this.topLevel.keys();
    for (const set of this.members.values()) yield* set;
  }

  definitionsNamed(name: string): WorkspaceDefinition[] {
    const out = [...(this.topLevel.get(name) ?? [])];
    for (const file of this.files.values())
      for (const definition of file.definitions)
        if (definition.container !== undefined && definition.name === name) out.push(definition);
    return out;
  }

  *packageNames(language: LanguageId): Iterable<string> {
    if (language === "python") {
      for (const name of this.declared.python) yield normalizePythonName(name);
      yield* this.pythonInstalled.keys();
      yield* this.pythonTopModules;
    } else {
      yield* this.declared.npm;
      yield* this.npmInstalled;
    }
  }

  resolveImport(fromFile: string | undefined, specifier: string, language: LanguageId): "ok" | "missing" {
    if (language === "python")
      return this.resolvePython(fromFile, specifier) === undefined ? "missing" : "ok";
    if (specifier.startsWith(".") || specifier.startsWith("/"))
      return this.resolveRelativeJs(fromFile, specifier) === undefined ? "missing" : "ok";
    const name = npmPackageName(specifier);
    if (this.declared.npm.has(name) || this.npmInstalled.has(name))
      return specifier === name || this.hasNpmSubpath(name, specifier) ? "ok" : "missing";
    // Path aliases from tsconfig (`@/x`, `~/x`) are the project's own modules.
    return this.tsconfigAliases.some((alias) => specifier === alias || specifier.startsWith(`${alias}/`))
      ? "ok"
      : "missing";
  }

  moduleExports(
    fromFile: string | undefined,
    specifier: string,
    language: LanguageId,
  ): Set<string> | undefined {
    if (language === "python") {
      const resolved = this.resolvePython(fromFile, specifier);
      if (resolved === undefined) return undefined;
      if (resolved.kind === "installed") return this.pythonInstalledExports.get(resolved.module);
      if (resolved.kind !== "workspace") return undefined;
      const file = this.files.get(resolved.path);
      if (file?.exports === undefined) return undefined;
      return resolved.path.endsWith("__init__.py")
        ? new Set([...file.exports, ...this.pythonSubmodules(resolved.path)])
        : file.exports;
    }
    if (specifier.startsWith(".") || specifier.startsWith("/")) {
      const path = this.resolveRelativeJs(fromFile, specifier);
      if (path === undefined) return undefined;
      return this.reexportingFiles.has(path)
        ? exportsThrough(this.moduleGraph, path)
        : this.files.get(path)?.exports;
    }
    return this.npmExports.get(specifier)?.names;
  }

  namespaceExports(
    fromFile: string | undefined,
    specifier: string,
    name: string,
    language: LanguageId,
  ): Set<string> | undefined {
    if (!isJavaScriptFamily(language)) return undefined;
    if (!specifier.startsWith(".")) return this.npmExports.get(specifier)?.namespaces.get(name);
    const path = this.resolveRelativeJs(fromFile, specifier);
    return path === undefined ? undefined : namespaceThrough(this.moduleGraph, path, name);
  }

  private hasNpmSubpath(name: string, specifier: string): boolean {
    let exists = this.npmSubpaths.get(specifier);
    if (exists === undefined) {
      const packageDir = installedPackageDir(this.root, name);
      // A declared package that is not installed cannot be looked into.
      exists = packageDir === undefined || packageHasSubpath(packageDir, specifier.slice(name.length + 1));
      this.npmSubpaths.set(specifier, exists);
    }
    return exists;
  }

  private fileExists(path: string): boolean {
    return this.files.has(path) || existsSync(join(this.root, path));
  }

  private resolveRelativeJs(fromFile: string | undefined, specifier: string): string | undefined {
    const base = specifier.startsWith("/")
      ? specifier.slice(1)
      : posix.join(posix.dirname(this.relativePath(fromFile ?? "index.ts")), specifier);
    const withoutJsExtension = base.replace(/\.(m|c)?jsx?$/, "");
    const candidates = [
      base,
      ...jsExtensions.map((extension) => withoutJsExtension + extension),
      ...jsExtensions.map((extension) => `${base}/index${extension}`),
    ];
    for (const candidate of candidates) if (this.files.has(candidate)) return candidate;
    for (const candidate of candidates)
      if (!isDirectory(join(this.root, candidate)) && existsSync(join(this.root, candidate)))
        return candidate;
    return undefined;
  }

  private pythonSubmodules(initPath: string): string[] {
    const dir = posix.dirname(initPath);
    const names = new Set<string>();
    for (const path of this.files.keys()) {
      if (!path.startsWith(`${dir}/`) || !path.endsWith(".py")) continue;
      const rest = path.slice(dir.length + 1).split("/");
      const head = rest.length === 1 ? rest[0]!.replace(/\.py$/, "") : rest[0]!;
      if (head !== "__init__") names.add(head);
    }
    return [...names];
  }

  /** Where a Python module comes from: a workspace file, an installed package, or only a declaration. */
  private resolvePython(
    fromFile: string | undefined,
    specifier: string,
  ):
    | { kind: "workspace"; path: string }
    | { kind: "installed"; module: string }
    | { kind: "declared" }
    | undefined {
    if (specifier.startsWith(".")) {
      const dots = /^\.+/.exec(specifier)![0].length;
      let dir = posix.dirname(this.relativePath(fromFile ?? "main.py"));
      for (let level = 1; level < dots; level++) dir = posix.dirname(dir);
      const rest = specifier.slice(dots);
      const base = rest === "" ? dir : posix.join(dir, ...rest.split("."));
      const path = this.pythonModulePath(base);
      return path === undefined ? undefined : { kind: "workspace", path };
    }
    // Scripts import their siblings by bare name, so the importing file's folder is a source root too.
    const fromDir = fromFile === undefined ? "" : posix.dirname(this.relativePath(fromFile));
    for (const sourceRoot of [
      "",
      "src/",
      "lib/",
      ...(fromDir === "." || fromDir === "" ? [] : [`${fromDir}/`]),
    ]) {
      const path = this.pythonModulePath(sourceRoot + specifier.split(".").join("/"));
      if (path !== undefined) return { kind: "workspace", path };
    }
    const [head, ...rest] = specifier.split(".");
    const installed = this.pythonInstalled.get(head!);
    if (installed !== undefined) {
      if (rest.length === 0) return { kind: "installed", module: head! };
      let exists = this.pythonInstalledSubmodules.get(specifier);
      if (exists === undefined) {
        const deeper = join(installed, ...rest);
        exists =
          existsSync(`${deeper}.py`) ||
          isDirectory(deeper) ||
          safeReaddir(posix.dirname(deeper)).some(
            (entry) => entry.startsWith(`${rest[rest.length - 1]}.`) && /\.(so|pyd)$/.test(entry),
          );
        this.pythonInstalledSubmodules.set(specifier, exists);
      }
      return exists ? { kind: "installed", module: specifier } : undefined;
    }
    const declaredNames = new Set([...this.declared.python].map(normalizePythonName));
    // A workspace package we fully know must contain the submodule; a declared-only one we cannot see into.
    if (this.pythonTopModules.has(head!)) return undefined;
    return declaredNames.has(normalizePythonName(head!)) ? { kind: "declared" } : undefined;
  }

  private pythonModulePath(base: string): string | undefined {
    for (const candidate of [`${base}.py`, `${base}/__init__.py`, `${base}.pyi`])
      if (this.fileExists(candidate)) return candidate;
    // A folder of Python files without __init__.py is a namespace package.
    return this.pythonFolders.has(base) ? `${base}/__init__.py` : undefined;
  }
}

/** The dotted module names a workspace Python file can be imported as (from the root, src/ or lib/). */
function pythonRoots(path: string): string[] {
  const modulePath = path
    .replace(/(\/__init__)?\.pyi?$/, "")
    .split("/")
    .join(".");
  const names = [modulePath];
  for (const sourceRoot of ["src.", "lib."])
    if (modulePath.startsWith(sourceRoot)) names.push(modulePath.slice(sourceRoot.length));
  return names;
}

function npmPackageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function readTsconfigAliases(root: string, realRoot: string): string[] {
  try {
    const text = (readTextInside(realRoot, join(root, "tsconfig.json")) ?? "{}")
      .replace(/^\s*\/\/.*$/gm, "")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/,(\s*[}\]])/g, "$1");
    const paths =
      (JSON.parse(text) as { compilerOptions?: { paths?: Record<string, string[]> } }).compilerOptions
        ?.paths ?? {};
    return Object.keys(paths)
      .map((alias) => alias.replace(/\/?\*$/, ""))
      .filter((alias) => alias !== "");
  } catch {
    return [];
  }
}

/**
 * An installed Python module's files: the module itself, and for a package its __init__ and direct
 * submodules.
 */
function* pythonModuleFiles(name: string, path: string): Iterable<[string, string]> {
  if (path.endsWith(".py")) {
    yield [name, path];
    return;
  }
  if (!isDirectory(path)) return;
  const init = join(path, "__init__.py");
  if (existsSync(init)) yield [name, init];
  for (const entry of safeReaddir(path)) {
    if (entry.endsWith(".py") && entry !== "__init__.py")
      yield [`${name}.${entry.slice(0, -3)}`, join(path, entry)];
    else if (existsSync(join(path, entry, "__init__.py")))
      yield [`${name}.${entry}`, join(path, entry, "__init__.py")];
  }
}

/**
 * The names an installed module has: its top-level names, and a package's submodules. Undefined with a
 * star import (worked out later from the other modules) or a module `__getattr__`.
 */
function installedModuleExports(file: string, model: PyModule): Set<string> | undefined {
  if (model.star !== undefined || model.o === 1) return undefined;
  const names = new Set(Object.keys(model.s));
  if (!file.endsWith("__init__.py")) return names;
  const dir = file.slice(0, -"__init__.py".length);
  for (const entry of safeReaddir(dir))
    if ((entry.endsWith(".py") && entry !== "__init__.py") || existsSync(join(dir, entry, "__init__.py")))
      names.add(entry.replace(/\.py$/, ""));
  return names;
}
