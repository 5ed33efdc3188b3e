// Regenerates builtins.json: the built-in names the detector accepts without looking at the workspace.
//   node --import tsx engine/detector/data/generateBuiltins.ts
// Sources, all authoritative and local: TypeScript's own lib.*.d.ts (JS/DOM globals, their members and
// the global types), the running Node (its built-in modules and what they export, its extra globals),
// and the system python3 (sys.stdlib_module_names, dir(builtins), dir() of each stdlib module).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const require = createRequire(import.meta.url);
const libDir = dirname(require.resolve("typescript/lib/lib.d.ts"));
const rootLib = "es2023.full";

interface TypeShape {
  extends: string[];
  members: string[];
}

/** Follows `/// <reference lib>` from the root lib, collecting every lib file it pulls in. */
function libFiles(): ts.SourceFile[] {
  const seen = new Set<string>();
  const files: ts.SourceFile[] = [];
  const visit = (lib: string): void => {
    if (seen.has(lib)) return;
    seen.add(lib);
    const path = join(libDir, `lib.${lib}.d.ts`);
    const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, false);
    files.push(file);
    for (const reference of file.libReferenceDirectives) visit(reference.fileName.toLowerCase());
  };
  visit(rootLib);
  return files;
}

function memberNames(members: ts.NodeArray<ts.TypeElement>): string[] {
  const names: string[] = [];
  for (const member of members) {
    if (
      member.name !== undefined &&
      (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) || ts.isPrivateIdentifier(member.name))
    ) {
      names.push(member.name.text);
    }
  }
  return names;
}

function typeName(type: ts.TypeNode | undefined): string | undefined {
  return type !== undefined && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)
    ? type.typeName.text
    : undefined;
}

function collectTypeScriptLib() {
  const values = new Set<string>();
  const types = new Map<string, TypeShape>();
  const valueTypes: Record<string, string> = {};
  const inlineValueMembers: Record<string, string[]> = {};
  const aliasNames = new Set<string>();
  const shape = (name: string): TypeShape => {
    let existing = types.get(name);
    if (existing === undefined) types.set(name, (existing = { extends: [], members: [] }));
    return existing;
  };
  for (const file of libFiles()) {
    for (const statement of file.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name)) continue;
          const name = declaration.name.text;
          values.add(name);
          const declared = typeName(declaration.type);
          if (declared !== undefined) valueTypes[name] = declared;
          else if (declaration.type !== undefined && ts.isTypeLiteralNode(declaration.type)) {
            inlineValueMembers[name] = [
              ...(inlineValueMembers[name] ?? []),
              ...memberNames(declaration.type.members),
            ];
          }
        }
      } else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
        values.add(statement.name.text);
      } else if (ts.isInterfaceDeclaration(statement)) {
        const target = shape(statement.name.text);
        target.members.push(...memberNames(statement.members));
        for (const clause of statement.heritageClauses ?? []) {
          for (const type of clause.types)
            if (ts.isIdentifier(type.expression)) target.extends.push(type.expression.text);
        }
      } else if (ts.isTypeAliasDeclaration(statement)) {
        shape(statement.name.text);
        aliasNames.add(statement.name.text);
      } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
        // `declare namespace Intl { ... }` is both a value and a type namespace.
        values.add(statement.name.text);
        const members = inlineValueMembers[statement.name.text] ?? [];
        if (statement.body !== undefined && ts.isModuleBlock(statement.body)) {
          for (const inner of statement.body.statements) {
            if (ts.isVariableStatement(inner)) {
              for (const declaration of inner.declarationList.declarations)
                if (ts.isIdentifier(declaration.name)) members.push(declaration.name.text);
            } else if (
              (ts.isFunctionDeclaration(inner) ||
                ts.isInterfaceDeclaration(inner) ||
                ts.isTypeAliasDeclaration(inner) ||
                ts.isClassDeclaration(inner)) &&
              inner.name !== undefined
            ) {
              members.push(inner.name.text);
            }
          }
        }
        inlineValueMembers[statement.name.text] = members;
      }
    }
  }
  const typeShapes: Record<string, TypeShape> = {};
  for (const [name, { extends: bases, members }] of [...types].sort(([a], [b]) => a.localeCompare(b))) {
    typeShapes[name] = { extends: [...new Set(bases)], members: [...new Set(members)].sort() };
  }
  for (const name of Object.keys(inlineValueMembers))
    inlineValueMembers[name] = [...new Set(inlineValueMembers[name])].sort();
  // Partial, Record, Readonly...: mapped or conditional types, whose members depend on their arguments.
  const typeAliases = [...aliasNames]
    .filter((name) => typeShapes[name]!.members.length === 0 && typeShapes[name]!.extends.length === 0)
    .sort();
  return {
    values: [...values].sort(),
    valueTypes,
    valueMembers: inlineValueMembers,
    types: typeShapes,
    typeAliases,
  };
}

/** What the running Node adds: its built-in modules with their exports, and globals outside the TS lib. */
function collectNode(libValues: Set<string>) {
  const script = `
    const m = require("node:module");
    const modules = {};
    for (const name of m.builtinModules) {
      if (name.startsWith("_")) continue;
      try { modules[name] = Object.keys(require(name)).sort(); } catch { modules[name] = []; }
    }
    const names = (value) => {
      const out = new Set();
      for (let o = value; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
        for (const key of Object.getOwnPropertyNames(o)) out.add(key);
      }
      return [...out].sort();
    };
    const globals = {};
    for (const name of Object.getOwnPropertyNames(globalThis)) globals[name] = (typeof globalThis[name] === "object" || typeof globalThis[name] === "function") && globalThis[name] ? names(globalThis[name]) : [];
    console.log(JSON.stringify({ modules, globals, version: process.version }));`;
  // From a file, not `node -e`: -e exposes every built-in module as a global.
  const scriptFile = join(mkdtempSync(join(tmpdir(), "coop-builtins-")), "node-builtins.cjs");
  writeFileSync(scriptFile, script);
  const result = JSON.parse(
    execFileSync(process.execPath, ["--no-deprecation", "--no-warnings", scriptFile], { encoding: "utf8" }),
  ) as {
    modules: Record<string, string[]>;
    globals: Record<string, string[]>;
    version: string;
  };
  const globals: Record<string, string[]> = {};
  // Members Node adds to the lib's own globals (Error.captureStackTrace, Error.stackTraceLimit).
  const libGlobalMembers: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(result.globals))
    if (!libValues.has(name)) globals[name] = members;
    else if (members.length > 0) libGlobalMembers[name] = members;
  // The CommonJS module wrapper's parameters are in scope in every CommonJS file.
  for (const name of ["require", "module", "exports", "__filename", "__dirname"]) globals[name] ??= [];
  return { version: result.version, modules: result.modules, globals, libGlobalMembers };
}

/** Python's builtins and standard library, with dir() of every importable stdlib module. */
function collectPython() {
  const script = `
import builtins, importlib, json, pkgutil, sys, types, warnings
warnings.simplefilter("ignore")
# Modules whose import has visible side effects (opens a browser, prints, starts a GUI) or that are not for use.
skip = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "__hello__", "__phello__", "pydoc_data", "lib2to3", "ensurepip"}
modules = {}
for name in sorted(sys.stdlib_module_names):
    if name.startswith("_") or name in skip:
        continue
    try:
        module = importlib.import_module(name)
    except Exception:
        modules[name] = None
        continue
    modules[name] = sorted(n for n in dir(module) if not n.startswith("__") or n in ("__version__", "__all__"))
    if hasattr(module, "__path__"):
        # A package's submodules are importable from it (from json import decoder) though dir() may not list them.
        modules[name] = sorted(set(modules[name]) | {info.name for info in pkgutil.iter_modules(module.__path__)})
    for attribute in list(modules[name]):
        value = getattr(module, attribute, None)
        # Keep submodules (xml.etree) and aliases (os.path is posixpath), not re-exports like os.sys.
        if isinstance(value, types.ModuleType) and value.__name__ != attribute:
            modules[name + "." + attribute] = sorted(n for n in dir(value) if not n.startswith("__"))
print(json.dumps({"version": sys.version.split()[0], "stdlib": sorted(sys.stdlib_module_names), "builtins": sorted(dir(builtins)),
                  "moduleGlobals": module_globals, "objectMembers": sorted(dir(object)), "modules": modules}))
`;
  // Run as a file so the names every module has at run time (__file__, __name__, ...) are those of a real
  // module.
  const scriptFile = join(mkdtempSync(join(tmpdir(), "coop-builtins-")), "python_builtins.py");
  writeFileSync(scriptFile, `module_globals = sorted(globals())\n${script}`);
  return JSON.parse(execFileSync("python3", [scriptFile], { encoding: "utf8", maxBuffer: 64 << 20 })) as {
    version: string;
    moduleGlobals: string[];
    objectMembers: string[];
    stdlib: string[];
    builtins: string[];
    modules: Record<string, string[] | null>;
  };
}

const typescriptLib = collectTypeScriptLib();
const node = collectNode(new Set(typescriptLib.values));
const python = collectPython();
const data = {
  sources: {
    typescript: `${ts.version} lib.${rootLib}.d.ts and its references`,
    node: node.version,
    python: python.version,
  },
  javascript: {
    ...typescriptLib,
    nodeGlobals: node.globals,
    nodeLibGlobalMembers: node.libGlobalMembers,
    nodeModules: node.modules,
  },
  python: {
    builtins: python.builtins,
    moduleGlobals: python.moduleGlobals,
    objectMembers: python.objectMembers,
    stdlib: python.stdlib,
    modules: python.modules,
  },
};
const out = join(dirname(fileURLToPath(import.meta.url)), "builtins.json");
writeFileSync(out, JSON.stringify(data) + "\n");
console.log(`wrote ${out}`);
