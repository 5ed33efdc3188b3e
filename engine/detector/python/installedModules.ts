import { parse } from "../../syntax/index.js";
import type { PyModule } from "./moduleModel.js";
import { PythonTypes } from "./pythonTypes.js";
import { readPythonModule } from "./readModule.js";
import { stdlibStub, stubPythonVersion } from "./stdlibStubs.js";

/**
 * The model of an installed package's module (`requests.sessions`) from its text: a `.pyi` stub when the
 * package ships one beside the source, else the `.py` source itself.
 */
export async function readInstalledModule(
  dotted: string,
  file: string,
  readText: (path: string) => string | undefined,
): Promise<PyModule | undefined> {
  const stubPath = file.replace(/\.py$/, ".pyi");
  const stubText = stubPath === file ? undefined : readText(stubPath);
  const text = stubText ?? readText(file);
  if (text === undefined) return undefined;
  const tree = await parse(text, "python");
  try {
    return readPythonModule(tree.rootNode, {
      name: dotted,
      isPackage: /(^|[\\/])__init__\.pyi?$/.test(file),
      stub: stubText !== undefined || file.endsWith(".pyi"),
      version: stubPythonVersion(),
    });
  } finally {
    tree.dispose();
  }
}

/**
 * The names a module with star imports exports (its own top-level names, what each `from m import *`
 * brings, its read submodules); undefined when a star's module is not known or the module is open.
 */
export function exportsThroughStars(
  dotted: string,
  models: ReadonlyMap<string, PyModule>,
): Set<string> | undefined {
  const model = models.get(dotted);
  if (model?.star === undefined || model.o === 1) return undefined;
  const types = new PythonTypes({
    module: (name) => models.get(name) ?? stdlibStub(name),
    isModule: () => false,
  });
  const names = new Set(Object.keys(model.s));
  for (const star of model.star) {
    const brought = types.starNames(star);
    if (brought === undefined) return undefined;
    for (const name of brought) names.add(name);
  }
  for (const name of models.keys())
    if (name.startsWith(`${dotted}.`) && !name.slice(dotted.length + 1).includes("."))
      names.add(name.slice(dotted.length + 1));
  return names;
}
