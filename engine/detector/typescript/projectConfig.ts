import { dirname, resolve } from "node:path";
import type ts from "typescript";

/** What the language service is built over: the compiler options and the project's own files. */
export interface ProjectConfig {
  options: ts.CompilerOptions;
  /** Absolute paths of the project's files (its roots; the compiler follows their imports). */
  fileNames: string[];
  /** The tsconfig.json or jsconfig.json it came from; undefined for inferred defaults. */
  configFile?: string;
}

const sourceExtensions = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
const ignoredFolders = ["**/node_modules", "**/.git", "**/out", "**/dist", "**/build", "**/coverage"];

/**
 * The project at `root`: its tsconfig.json (or else jsconfig.json) as the compiler reads it, or, with
 * neither, the options an editor infers for loose files (JavaScript allowed but not type-checked, modern
 * module resolution, the DOM's names besides the language's since nothing says where the code runs).
 */
export function loadProjectConfig(typescript: typeof ts, root: string): ProjectConfig {
  const host = typescript.sys;
  for (const name of ["tsconfig.json", "jsconfig.json"]) {
    const configFile = typescript.findConfigFile(root, (path) => host.fileExists(path), name);
    // findConfigFile looks in the parent folders too; a config outside the workspace is not its own.
    if (configFile === undefined || !isInside(configFile, root)) continue;
    const read = typescript.readConfigFile(configFile, (path) => host.readFile(path));
    if (read.error) continue;
    const parsed = typescript.parseJsonConfigFileContent(
      read.config,
      host,
      dirname(configFile),
      name === "jsconfig.json" ? { allowJs: true, maxNodeModuleJsDepth: 2 } : undefined,
      configFile,
    );
    return { options: checkOnly(typescript, parsed.options), fileNames: parsed.fileNames, configFile };
  }
  return { options: inferredOptions(typescript), fileNames: looseFiles(typescript, root) };
}

function inferredOptions(typescript: typeof ts): ts.CompilerOptions {
  return checkOnly(typescript, {
    target: typescript.ScriptTarget.ESNext,
    module: typescript.ModuleKind.ESNext,
    moduleResolution: typescript.ModuleResolutionKind.Bundler,
    allowJs: true,
    checkJs: false,
    jsx: typescript.JsxEmit.Preserve,
    esModuleInterop: true,
    allowSyntheticDefaultImports: true,
    resolveJsonModule: true,
    lib: ["lib.esnext.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  });
}

/** The options of a check: nothing emitted, and the libraries' own declarations trusted, not checked. */
function checkOnly(typescript: typeof ts, options: ts.CompilerOptions): ts.CompilerOptions {
  return {
    ...options,
    noEmit: true,
    skipLibCheck: true,
    incremental: false,
    composite: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    // A project reference's outputs may not be built; its sources are read instead.
    disableSourceOfProjectReferenceRedirect: false,
    ...(options.moduleResolution === undefined && options.module === undefined
      ? { moduleResolution: typescript.ModuleResolutionKind.Bundler, module: typescript.ModuleKind.ESNext }
      : {}),
  };
}

function looseFiles(typescript: typeof ts, root: string): string[] {
  return typescript.sys.readDirectory(root, sourceExtensions, ignoredFolders, ["**/*"]);
}

function isInside(file: string, root: string): boolean {
  const normal = (path: string): string => resolve(path).replaceAll("\\", "/");
  return normal(file).startsWith(`${normal(root).replace(/\/+$/, "")}/`);
}
