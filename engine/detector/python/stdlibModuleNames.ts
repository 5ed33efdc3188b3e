import { pythonObjectMembers, pythonStdlibModuleMembers } from "../data/builtins.js";
import { PythonTypes } from "./pythonTypes.js";
import { stdlibStub, stdlibStubNames } from "./stdlibStubs.js";

/** What every module object has (the module type's attributes), whatever its contents. */
const moduleAttributes = [
  "__dict__",
  "__doc__",
  "__file__",
  "__loader__",
  "__name__",
  "__package__",
  "__path__",
  "__spec__",
  "__cached__",
  "__builtins__",
];

const cache = new Map<string, Set<string> | undefined>();
let stubTypes: PythonTypes | undefined;

/**
 * The attributes of a standard module: what the reference interpreter's dir() lists, plus what the
 * typeshed stub declares (other platforms' names such as `os.O_BINARY`, `sys.ps1`, `sys.last_value`),
 * plus its submodules and the attributes of every module. Undefined when neither knows the module.
 */
export function stdlibModuleNames(dotted: string): Set<string> | undefined {
  if (!cache.has(dotted)) cache.set(dotted, computeNames(dotted));
  return cache.get(dotted);
}

function computeNames(dotted: string): Set<string> | undefined {
  const runtime = pythonStdlibModuleMembers(dotted);
  const stub = stdlibStub(dotted);
  if (runtime === undefined && stub === undefined) return undefined;
  // Private modules (`_collections_abc`) are not in the interpreter's table, and stubs leave out much of
  // what they hold: not judged from the stub alone.
  if (runtime === undefined && dotted.split(".").some((part) => part.startsWith("_"))) return undefined;
  const names = new Set([...(runtime ?? []), ...moduleAttributes, ...pythonObjectMembers()]);
  if (stub !== undefined) {
    for (const name of Object.keys(stub.s)) names.add(name);
    stubTypes ??= new PythonTypes({ module: stdlibStub, isModule: (name) => stdlibStub(name) !== undefined });
    for (const star of stub.star ?? []) for (const name of stubTypes.starNames(star) ?? []) names.add(name);
  }
  for (const module of stdlibStubNames())
    if (module.startsWith(`${dotted}.`) && !module.slice(dotted.length + 1).includes("."))
      names.add(module.slice(dotted.length + 1));
  return names;
}
