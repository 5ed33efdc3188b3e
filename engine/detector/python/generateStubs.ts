// Regenerates pythonStubs.json: classes, members and return types of the Python standard library, read
// from the typeshed stubs pyright bundles (node_modules/pyright/dist/typeshed-fallback/stdlib).
//   node --import tsx engine/detector/python/generateStubs.ts
// `if sys.version_info` branches are resolved for the system python3's version (as builtins.json is
// generated from it); modules typeshed marks as absent in that version are left out.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "../../syntax/index.js";
import type { PyModule } from "./moduleModel.js";
import { PythonTypes } from "./pythonTypes.js";
import { readPythonModule, type PythonVersion } from "./readModule.js";

const require = createRequire(import.meta.url);
const typeshed = join(dirname(require.resolve("pyright/package.json")), "dist", "typeshed-fallback");
const stdlib = join(typeshed, "stdlib");

const [major, minor] = execFileSync("python3", ["-c", "import sys; print(*sys.version_info[:2])"], {
  encoding: "utf8",
})
  .trim()
  .split(" ")
  .map(Number) as [number, number];
const version: PythonVersion = [major, minor];

/** VERSIONS: per module, the range of Python versions that have it. */
function availableRanges(): Map<string, [PythonVersion, PythonVersion | undefined]> {
  const ranges = new Map<string, [PythonVersion, PythonVersion | undefined]>();
  for (const line of readFileSync(join(stdlib, "VERSIONS"), "utf8").split("\n")) {
    const match = /^([\w.]+):\s*(\d+)\.(\d+)-(?:(\d+)\.(\d+))?/.exec(line.replace(/#.*/, "").trim());
    if (match === null) continue;
    const [, name, fromMajor, fromMinor, toMajor, toMinor] = match;
    ranges.set(name!, [
      [Number(fromMajor), Number(fromMinor)],
      toMajor === undefined ? undefined : [Number(toMajor), Number(toMinor)],
    ]);
  }
  return ranges;
}

function compare(a: PythonVersion, b: PythonVersion): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Whether a module exists in `version`, by its most specific VERSIONS entry. */
function isAvailable(name: string, ranges: ReturnType<typeof availableRanges>): boolean {
  const parts = name.split(".");
  for (let length = parts.length; length > 0; length--) {
    const range = ranges.get(parts.slice(0, length).join("."));
    if (range === undefined) continue;
    return compare(version, range[0]) >= 0 && (range[1] === undefined || compare(version, range[1]) <= 0);
  }
  return false;
}

function* stubFiles(dir: string): Iterable<string> {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* stubFiles(path);
    else if (entry.endsWith(".pyi")) yield path;
  }
}

const ranges = availableRanges();
const modules: Record<string, PyModule> = {};
let classes = 0;
let members = 0;
for (const file of stubFiles(stdlib)) {
  const parts = relative(stdlib, file).slice(0, -4).split(/[\\/]/);
  const isPackage = parts[parts.length - 1] === "__init__";
  const name = (isPackage ? parts.slice(0, -1) : parts).join(".");
  if (!isAvailable(name, ranges)) continue;
  const tree = await parse(readFileSync(file, "utf8"), "python");
  try {
    const model = readPythonModule(tree.rootNode, { name, isPackage, stub: true, version });
    modules[name] = model;
    for (const symbol of Object.values(model.s)) {
      if (typeof symbol !== "object") continue;
      classes++;
      members += Object.keys(symbol.m).length;
    }
  } finally {
    tree.dispose();
  }
}

/**
 * What the reference interpreter has beyond the stubs: for each importable public module, the names of
 * dir(module), and for each of its public classes the public names of dir(class), that the stub does not
 * declare (typeshed leaves out undocumented attributes; a detector must not call them missing). Added as
 * symbols and members of unknown type.
 */
function addRuntimeMembers(): number {
  const classesByModule: Record<string, string[]> = {};
  for (const [name, model] of Object.entries(modules)) {
    if (name.split(".").some((part) => part.startsWith("_"))) continue;
    const names = Object.entries(model.s)
      .filter(([symbol, value]) => typeof value === "object" && !symbol.startsWith("_"))
      .map(([symbol]) => symbol);
    classesByModule[name] = names;
  }
  const script = `
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
# Modules whose import has visible side effects (as in generateBuiltins.ts).
skip = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo"}
out = {}
for module_name, class_names in json.load(sys.stdin).items():
    if module_name.split(".")[0] in skip:
        continue
    try:
        module = importlib.import_module(module_name)
    except Exception:
        continue
    out[module_name] = sorted(n for n in dir(module) if not n.startswith("__"))
    for class_name in class_names:
        value = getattr(module, class_name, None)
        if isinstance(value, type):
            out[module_name + ":" + class_name] = sorted(n for n in dir(value) if not n.startswith("_"))
print(json.dumps(out))
`;
  const runtime = JSON.parse(
    execFileSync("python3", ["-c", script], {
      input: JSON.stringify(classesByModule),
      encoding: "utf8",
      maxBuffer: 64 << 20,
    }),
  ) as Record<string, string[]>;
  // A name a module gets through `from m import *` in its stub is declared there already.
  const stubTypes = new PythonTypes({ module: (name) => modules[name], isModule: (name) => name in modules });
  let added = 0;
  for (const [ref, names] of Object.entries(runtime)) {
    if (!ref.includes(":")) {
      // A module: what dir() lists and the stub leaves out (undocumented helpers, C-level names).
      const symbols = modules[ref]!.s;
      const starred = new Set(
        (modules[ref]!.star ?? []).flatMap((star) => [...(stubTypes.starNames(star) ?? [])]),
      );
      for (const name of names)
        if (!Object.hasOwn(symbols, name) && !starred.has(name) && !isSubmodule(ref, name))
          symbols[name] = "v";
      continue;
    }
    const [module, name] = ref.split(":") as [string, string];
    const shape = modules[module]!.s[name];
    if (typeof shape !== "object") continue;
    const declared = new Set(Object.keys(shape.m));
    for (const base of flattenedNames(module, name, new Set())) declared.add(base);
    for (const member of names) {
      if (declared.has(member)) continue;
      shape.m[member] = "a";
      added++;
    }
  }
  return added;
}

function isSubmodule(module: string, name: string): boolean {
  return Object.hasOwn(modules, `${module}.${name}`);
}

/** Member names a stub class has with its bases (followed within the generated modules, aliases too). */
function flattenedNames(module: string, name: string, seen: Set<string>): Set<string> {
  const names = new Set<string>();
  const ref = `${module}:${name}`;
  if (seen.has(ref)) return names;
  seen.add(ref);
  const symbol = modules[module]?.s[name];
  if (typeof symbol === "string" && symbol.startsWith("r") && !symbol.includes("|")) {
    const [targetModule, targetName] = symbol.slice(1).split(":");
    return targetModule === undefined || targetName === undefined
      ? names
      : flattenedNames(targetModule, targetName, seen);
  }
  if (typeof symbol !== "object") return names;
  for (const member of Object.keys(symbol.m)) names.add(member);
  for (const base of symbol.b) {
    const [baseModule, baseName] = base.split(":");
    if (baseModule !== undefined && baseName !== undefined)
      for (const member of flattenedNames(baseModule, baseName, seen)) names.add(member);
  }
  return names;
}

const runtimeAdded = addRuntimeMembers();
const commit = readFileSync(join(typeshed, "commit.txt"), "utf8").trim();
const pyright = (require("pyright/package.json") as { version: string }).version;
// `modules` is stored as one JSON string: a bundle then carries a single string literal, cheap to load,
// and the detector parses it on its first Python check rather than at start-up.
const data = {
  source: `typeshed ${commit} (pyright ${pyright})`,
  python: `${major}.${minor}`,
  modules: JSON.stringify(modules),
};
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "pythonStubs.json");
writeFileSync(out, JSON.stringify(data) + "\n");
console.log(
  `wrote ${out}: ${Object.keys(modules).length} modules, ${classes} classes, ` +
    `${members} members from the stubs, ` +
    `${runtimeAdded} more from dir() of python3's classes`,
);
