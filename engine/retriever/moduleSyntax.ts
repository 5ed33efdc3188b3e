/**
 * What a JavaScript/TypeScript module imports and exports, read lexically (no parse): enough to follow
 * a name from where it is used to the file that defines it.
 */

/** A name a module brings into scope from another: `imported` is a name, `default`, or `*` (namespace). */
export interface ImportBinding {
  local: string;
  imported: string;
  specifier: string;
}

/** `export { a as b } from "x"` (names), `export * from "x"` (no names), `export * as ns from "x"`. */
export interface ReExport {
  specifier: string;
  names?: { exported: string; imported: string }[];
  namespace?: string;
}

/** `export { local as exported }` without `from`, and `export default local`. */
export interface LocalExport {
  exported: string;
  local: string;
}

export interface ModuleSyntax {
  imports: ImportBinding[];
  reExports: ReExport[];
  localExports: LocalExport[];
}

const identifier = String.raw`[\p{L}_$][\p{L}\p{N}_$]*`;
const importStatement = new RegExp(
  String.raw`(?:^|[;\n])\s*import\s+(?:type\s+)?([^"';]*?)\s*from\s*["']([^"'\n]+)["']`,
  "gu",
);
const requireCall = new RegExp(
  String.raw`\b(?:const|let|var)\s+(\{[^}]*\}|${identifier})\s*=\s*require\(\s*["']([^"'\n]+)["']\s*\)`,
  "gu",
);
const reExportStatement = new RegExp(
  String.raw`\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+(${identifier}))?|\{([^}]*)\})` +
    String.raw`\s*from\s*["']([^"'\n]+)["']`,
  "gu",
);
const localExportList = /\bexport\s+(?:type\s+)?\{([^}]*)\}(?!\s*from\b)/gu;
const defaultExport = new RegExp(
  String.raw`\bexport\s+default\s+(?:abstract\s+)?(?:async\s+)?(?:function\s*\*?|class)?\s*(${identifier})`,
  "gu",
);
const reservedAfterDefault = new Set(["function", "class", "async", "abstract", "new", "await"]);

/** The imports and exports of a module's text (comments are not skipped: a commented import counts). */
export function moduleSyntaxOf(source: string): ModuleSyntax {
  const imports: ImportBinding[] = [];
  for (const [, clause, specifier] of source.matchAll(importStatement))
    imports.push(...bindingsOfClause(clause!, specifier!));
  for (const [, pattern, specifier] of source.matchAll(requireCall)) {
    if (pattern!.startsWith("{"))
      for (const { exported, local } of namedList(pattern!.slice(1, -1), ":"))
        imports.push({ local, imported: exported, specifier: specifier! });
    else imports.push({ local: pattern!, imported: "*", specifier: specifier! });
  }
  const reExports: ReExport[] = [];
  for (const [, namespace, list, specifier] of source.matchAll(reExportStatement)) {
    if (list !== undefined)
      reExports.push({
        specifier: specifier!,
        names: namedList(list, "as").map(({ exported: imported, local: exported }) => ({
          exported,
          imported,
        })),
      });
    else if (namespace !== undefined) reExports.push({ specifier: specifier!, namespace });
    else reExports.push({ specifier: specifier! });
  }
  const localExports: LocalExport[] = [];
  for (const [, list] of source.matchAll(localExportList))
    for (const { exported: local, local: exported } of namedList(list!, "as"))
      localExports.push({ exported, local });
  for (const [, local] of source.matchAll(defaultExport))
    if (!reservedAfterDefault.has(local!)) localExports.push({ exported: "default", local: local! });
  return { imports, reExports, localExports };
}

/** `D`, `* as ns`, `{ a, b as c }`, `D, { a }`, `D, * as ns`. */
function bindingsOfClause(clause: string, specifier: string): ImportBinding[] {
  const bindings: ImportBinding[] = [];
  const braces = clause.indexOf("{");
  const named = braces >= 0 ? clause.slice(braces + 1, clause.lastIndexOf("}")) : "";
  for (const { exported, local } of namedList(named, "as"))
    bindings.push({ local, imported: exported, specifier });
  const rest = (braces >= 0 ? clause.slice(0, braces) : clause).trim();
  for (const part of rest.split(",")) {
    const text = part.trim();
    const namespace = /^\*\s*as\s+(\S+)$/u.exec(text);
    if (namespace) bindings.push({ local: namespace[1]!, imported: "*", specifier });
    else if (new RegExp(`^${identifier}$`, "u").test(text) && text !== "type")
      bindings.push({ local: text, imported: "default", specifier });
  }
  return bindings;
}

/** `a, b as c, type d` (or `a, b: c` for destructuring): each entry's exported and local names. */
function namedList(list: string, renaming: "as" | ":"): { exported: string; local: string }[] {
  const entries: { exported: string; local: string }[] = [];
  const separator = renaming === "as" ? /\s+as\s+/u : /\s*:\s*/u;
  for (const raw of list.split(",")) {
    const entry = raw
      .replace(/\/\/.*$|\/\*.*?\*\//gmu, "")
      .trim()
      .replace(/^type\s+/u, "");
    if (entry === "") continue;
    const [exported, local = exported] = entry.split(separator).map((name) => name.trim());
    const quoted = /^["'](.*)["']$/u.exec(exported!);
    entries.push({ exported: quoted ? quoted[1]! : exported!, local: local! });
  }
  return entries;
}
