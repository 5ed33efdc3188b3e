/**
 * What the detector knows of a Python module from its stub (.pyi) or source (.py): its top-level symbols,
 * classes with their own members and bases, and the types functions return and attributes hold.
 *
 * The same compact shape is generated for typeshed's standard library (data/pythonStubs.json) and built
 * at run time from installed packages. Types are references "module:Name" ("builtins:str",
 * "datetime:date"), "Self", or "None"; a list of references is a union; an empty list is "not known".
 *
 * Encoded strings keep the table small: a symbol is `f<refs>` (function returning refs), `v<refs>`
 * (variable holding an instance of refs), `r<refs>` (alias of refs: `from x import Y as Y`, `A = B`),
 * `m<module>` (a module: `import x as y`), or a class object. A class member is `m<refs>` (a method
 * returning refs) or `a<refs>` (an attribute or property holding refs). Refs are joined by "|".
 */
export interface PyClass {
  /** Base classes as refs ("builtins:object" is left out). */
  b: string[];
  /** Own public members (names not starting with "_"), encoded. */
  m: Record<string, string>;
  /** Open: any attribute may exist (`__getattr__`, a base that cannot be resolved in the source). */
  o?: 1;
  /** The metaclass (`metaclass=ABCMeta`) as a ref: its members are the class object's too. */
  mc?: string;
}

export type PySymbol = string | PyClass;

export interface PyModule {
  /** Top-level symbols by name (public and private: private classes are bases of public ones). */
  s: Record<string, PySymbol>;
  /** `__all__` when the module spells it as a literal list. */
  all?: string[];
  /** Modules star-imported into this one (`from posixpath import *`). */
  star?: string[];
  /** A module-level `__getattr__`: any attribute may exist. */
  o?: 1;
}

export type SymbolKind = "function" | "variable" | "alias" | "module";

const symbolKinds: Record<string, SymbolKind> = { f: "function", v: "variable", r: "alias", m: "module" };

export function encodeRefs(prefix: string, refs: readonly string[] | undefined): string {
  return prefix + (refs ?? []).join("|");
}

export function decodeRefs(encoded: string): string[] {
  const body = encoded.slice(1);
  return body === "" ? [] : body.split("|");
}

export function symbolKind(symbol: string): SymbolKind | undefined {
  return symbolKinds[symbol[0] ?? ""];
}

export function isPyClass(symbol: PySymbol | undefined): symbol is PyClass {
  return typeof symbol === "object";
}

/** Splits "module:Name" into its module and name. */
export function splitRef(ref: string): { module: string; name: string } | undefined {
  const colon = ref.indexOf(":");
  return colon <= 0 ? undefined : { module: ref.slice(0, colon), name: ref.slice(colon + 1) };
}

/** The names `from module import *` binds: `__all__` when spelled, else the public top-level names. */
export function starExportNames(module: PyModule): string[] {
  return module.all ?? Object.keys(module.s).filter((name) => !name.startsWith("_"));
}
