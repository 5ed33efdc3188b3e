import { isPythonStdlibModule, pythonStdlibModuleMembers } from "./data/builtins.js";
import type { DetectorWorkspace } from "./workspace.js";
import type { PyModule } from "./python/moduleModel.js";
import { PythonTypes } from "./python/pythonTypes.js";
import { stdlibStub } from "./python/stdlibStubs.js";

const noInstalledModules: ReadonlyMap<string, PyModule> = new Map();
const cache = new WeakMap<
  DetectorWorkspace,
  { installed: ReadonlyMap<string, PyModule>; types: PythonTypes }
>();

/**
 * Whether a dotted standard-library name (`os.pathlib`) names no module: neither typeshed nor the
 * interpreter knows it, though its top-level package is known. A single name is never "missing" here.
 */
export function stdlibSubmoduleMissing(dotted: string): boolean {
  const dot = dotted.indexOf(".");
  if (dot < 0) return false;
  if (stdlibStub(dotted) !== undefined || pythonStdlibModuleMembers(dotted) !== undefined) return false;
  const top = dotted.slice(0, dot);
  return stdlibStub(top) !== undefined || pythonStdlibModuleMembers(top) !== undefined;
}

/**
 * The type resolver of a workspace: typeshed's stdlib stubs, then the models of its installed packages.
 * Kept while the workspace's installed models stay the same, so flattened classes are computed once.
 */
export function pythonTypesFor(workspace: DetectorWorkspace): PythonTypes {
  const installed = workspace.pythonModules?.() ?? noInstalledModules;
  const cached = cache.get(workspace);
  if (cached !== undefined && cached.installed === installed) return cached.types;
  const types = new PythonTypes({
    module: (name) => stdlibStub(name) ?? installed.get(name),
    isModule: (name) =>
      isPythonStdlibModule(name)
        ? !stdlibSubmoduleMissing(name)
        : workspace.resolveImport(undefined, name, "python") === "ok",
  });
  cache.set(workspace, { installed, types });
  return types;
}
