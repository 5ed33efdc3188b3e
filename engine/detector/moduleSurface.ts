import { parse, type SyntaxNode } from "../syntax/index.js";

/**
 * What one TypeScript/JavaScript module exports, before following other modules: the names it declares
 * or re-exports by name, its `export * from` specifiers, and the names that hold another module's
 * namespace (`export * as money from "./money.js"`, `import * as z from "./x"; export { z }`).
 */
export interface ModuleSurface {
  names: Set<string>;
  stars: string[];
  namespaces: Map<string, string>;
  /** `export = X`: the module is X, so its default import (esModuleInterop) has X's names. */
  assigned?: true;
}

/**
 * The surface of a module's text; undefined when not knowable from its text (a script, `export =` of a
 * class or a variable, whose members are those of a type). `export = X` of functions and namespaces is
 * the names of X, as named exports and as the default.
 */
export async function moduleSurface(text: string): Promise<ModuleSurface | undefined> {
  const tree = await parse(text, "typescript");
  try {
    const root = tree.rootNode;
    // A script (no import or export): its names are globals or `declare module "x"` blocks, not exports.
    if (
      !root.namedChildren.some(
        (child) => child.type === "export_statement" || child.type === "import_statement",
      )
    )
      return undefined;
    const surface: ModuleSurface = { names: new Set(exportedByText(text)), stars: [], namespaces: new Map() };
    const namespaceImports = namespaceImportsOf(root);
    for (const statement of root.namedChildren) {
      if (statement.type !== "export_statement") continue;
      const assigned = /^export\s*=\s*([A-Za-z_$][\w$]*)\s*;?$/.exec(statement.text)?.[1];
      if (assigned !== undefined) {
        const names = exportAssignment(root, assigned);
        const surface = { names: new Set([...(names ?? []), "default"]), stars: [], namespaces: new Map() };
        return names && { ...surface, assigned: true };
      }
      if (/^export\s+as\s+namespace\b/.test(statement.text)) continue;
      const source = statement.childForFieldName("source");
      const from = source?.namedChildren[0]?.text ?? "";
      const clause = statement.namedChildren.find((child) => child.type === "export_clause");
      const namespace = statement.namedChildren.find((child) => child.type === "namespace_export");
      if (clause !== undefined) {
        for (const specifier of clause.namedChildren) {
          const local = specifier.childForFieldName("name");
          const exported = specifier.childForFieldName("alias") ?? local;
          if (exported === null) continue;
          surface.names.add(exported.text);
          const namespaceOf =
            source === null && local !== null ? namespaceImports.get(local.text) : undefined;
          if (namespaceOf !== undefined) surface.namespaces.set(exported.text, namespaceOf);
        }
      } else if (namespace !== undefined) {
        const name = namespace.namedChildren[0];
        if (name !== undefined) {
          surface.names.add(name.text);
          surface.namespaces.set(name.text, from);
        }
      } else if (source !== null) {
        surface.stars.push(from);
      } else {
        const value = statement.childForFieldName("value");
        // `export default z` of `import * as z`: the default is that namespace.
        if (value?.type === "identifier" && namespaceImports.has(value.text))
          surface.namespaces.set("default", namespaceImports.get(value.text)!);
        for (const name of declaredNames(statement)) surface.names.add(name);
      }
    }
    return surface;
  } finally {
    tree.dispose();
  }
}

/** `import * as z from "./x"` of a module: local name -> specifier. */
function namespaceImportsOf(root: SyntaxNode): Map<string, string> {
  const imports = new Map<string, string>();
  for (const statement of root.namedChildren) {
    if (statement.type !== "import_statement") continue;
    const from = statement.childForFieldName("source")?.namedChildren[0]?.text;
    const clause = statement.namedChildren.find((child) => child.type === "import_clause");
    const namespace = clause?.namedChildren.find((child) => child.type === "namespace_import");
    const local = namespace?.namedChildren.find((child) => child.type === "identifier");
    if (from !== undefined && local !== undefined) imports.set(local.text, from);
  }
  return imports;
}

/** Finds the surface of a module file, and the file a specifier names from another file. */
export interface ModuleGraph {
  surfaceOf(file: string): ModuleSurface | undefined;
  resolve(fromFile: string, specifier: string): string | undefined;
}

/** The names a module exports, following `export *` (which never re-exports a default). */
export function exportsThrough(
  graph: ModuleGraph,
  file: string,
  inProgress = new Set<string>(),
): Set<string> | undefined {
  // A cycle of `export *` adds nothing new.
  if (inProgress.has(file)) return new Set();
  const surface = graph.surfaceOf(file);
  if (surface === undefined) return undefined;
  inProgress.add(file);
  const names = new Set(surface.names);
  for (const specifier of surface.stars) {
    const target = graph.resolve(file, specifier);
    const starred = target === undefined ? undefined : exportsThrough(graph, target, inProgress);
    if (starred === undefined) return undefined;
    for (const name of starred) if (name !== "default") names.add(name);
  }
  return names;
}

/**
 * The names of the namespace a module exports as `name` (`default` included), through `export *`;
 * undefined when `name` is not a namespace or it is not knowable.
 */
export function namespaceThrough(
  graph: ModuleGraph,
  file: string,
  name: string,
  seen = new Set<string>(),
): Set<string> | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const surface = graph.surfaceOf(file);
  if (surface === undefined) return undefined;
  if (surface.assigned === true && name === "default") return new Set(surface.names);
  const specifier = surface.namespaces.get(name);
  if (specifier !== undefined) {
    const target = graph.resolve(file, specifier);
    return target === undefined ? undefined : exportsThrough(graph, target);
  }
  if (name === "default" || surface.names.has(name)) return undefined;
  for (const star of surface.stars) {
    const target = graph.resolve(file, star);
    const found = target === undefined ? undefined : namespaceThrough(graph, target, name, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

const declarationKeyword = new RegExp(
  String.raw`^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?` +
    String.raw`(?:function\*?|class|const|let|var|interface|type|enum|namespace|module)\s+([A-Za-z_$][\w$]*)`,
  "gm",
);

/**
 * Exported names found by their text alone, and `default`: a superset that survives what the parser
 * does not understand (`export default function (): void;` in a declaration file).
 */
function exportedByText(text: string): string[] {
  const names = [...text.matchAll(declarationKeyword)].map((match) => match[1]!);
  if (/^export\s+default\b/m.test(text)) names.push("default");
  return names;
}

const declarationTypes = new Set([
  "function_signature",
  "function_declaration",
  "generator_function_declaration",
  "class_declaration",
  "abstract_class_declaration",
  "interface_declaration",
  "type_alias_declaration",
  "enum_declaration",
  "internal_module",
  "module",
]);

/** The names one node declares (`declare` and `export` unwrapped; every declarator of a `const`). */
function declaredNames(node: SyntaxNode): string[] {
  if (node.type === "ambient_declaration" || node.type === "export_statement")
    return node.namedChildren.flatMap(declaredNames);
  if (declarationTypes.has(node.type)) {
    const name = node.childForFieldName("name");
    return name !== null && /^[A-Za-z_$][\w$]*$/.test(name.text) ? [name.text] : [];
  }
  if (node.type === "lexical_declaration" || node.type === "variable_declaration")
    return node.namedChildren.flatMap((declarator) => {
      const name = declarator.childForFieldName("name");
      return name?.type === "identifier" ? [name.text] : [];
    });
  if (node.type === "import_alias") {
    const name = node.namedChildren[0];
    return name?.type === "identifier" ? [name.text] : [];
  }
  return [];
}

/** What a top-level statement declares, with `declare` unwrapped. */
function declarationOf(statement: SyntaxNode): SyntaxNode {
  return statement.type === "ambient_declaration" ? (statement.namedChildren[0] ?? statement) : statement;
}

const functionMembers = ["apply", "bind", "call", "length", "name", "prototype", "toString"];

/**
 * `export = X`: the module is X. Its names are knowable when X is only functions and namespaces of this
 * file: every name a namespace declares (in a declaration file they are exported), and what every
 * function has. A class or a variable X would need its type's members: undefined.
 */
function exportAssignment(root: SyntaxNode, assigned: string): Set<string> | undefined {
  const names = new Set<string>();
  let found = false;
  for (const statement of root.namedChildren) {
    const node = declarationOf(statement);
    if (!declaredNames(node).includes(assigned)) continue;
    found = true;
    if (node.type === "function_signature" || node.type === "function_declaration")
      for (const name of functionMembers) names.add(name);
    else if (node.type === "internal_module" || node.type === "module") {
      for (const inner of node.childForFieldName("body")?.namedChildren ?? [])
        for (const name of declaredNames(inner)) names.add(name);
    } else if (node.type !== "interface_declaration" && node.type !== "type_alias_declaration")
      return undefined;
  }
  return found ? names : undefined;
}
