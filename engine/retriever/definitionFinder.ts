import type { ModuleResolver } from "./moduleResolver.js";
import type { ImportBinding, ModuleSyntax } from "./moduleSyntax.js";
import type { SymbolTable, WorkspaceSymbol } from "./symbolTable.js";

/** Re-export chains longer than this are not followed (they are cycles or generated barrels). */
const maxDepth = 8;
/** Barrels of barrels nest this deep at most when a namespace's exports are listed. */
const maxNamespaceDepth = 4;

/**
 * Follows names across modules: from an import binding to the top-level definitions it names, through
 * `export { a as b } from`, `export * from`, and `import`-then-`export` chains.
 */
export class DefinitionFinder {
  private readonly exportsOfModule = new Map<string, WorkspaceSymbol[]>();
  /** What a module exports as a name, found through its re-exports: queries ask for the same ones again. */
  private readonly exportedAs = new Map<string, WorkspaceSymbol[]>();

  constructor(
    private readonly symbols: SymbolTable,
    private readonly syntaxOf: (path: string) => ModuleSyntax,
    private readonly resolver: ModuleResolver,
  ) {}

  /**
   * The definitions a binding imported into `fromPath` names (a namespace binding names none). The list
   * is shared between calls until a file changes: read it, do not change it.
   */
  imported(fromPath: string, binding: ImportBinding): readonly WorkspaceSymbol[] {
    if (binding.imported === "*") return [];
    const target = this.resolver.resolve(fromPath, binding.specifier);
    if (target === undefined) return [];
    const key = `${target}\0${binding.imported}`;
    let found = this.exportedAs.get(key);
    if (found === undefined) {
      found = this.exported(target, binding.imported, 0, new Set());
      this.exportedAs.set(key, found);
    }
    return found;
  }

  /** Forgets the cached exports (after any file changed). */
  invalidate(): void {
    this.exportsOfModule.clear();
    this.exportedAs.clear();
  }

  /**
   * The module a binding stands for when it is a namespace: `import * as ns`, `require`, or a name
   * some module re-exports with `export * as name from`.
   */
  namespaceModule(fromPath: string, binding: ImportBinding): string | undefined {
    const target = this.resolver.resolve(fromPath, binding.specifier);
    if (target === undefined || binding.imported === "*") return target;
    return this.exportedNamespace(target, binding.imported, 0, new Set());
  }

  /** The top-level definitions a module exports: its own, then what it re-exports. */
  exportsOf(path: string): WorkspaceSymbol[] {
    let found = this.exportsOfModule.get(path);
    if (!found) {
      found = this.collectExports(path, 0, new Set());
      this.exportsOfModule.set(path, found);
    }
    return found;
  }

  private collectExports(path: string, depth: number, seen: Set<string>): WorkspaceSymbol[] {
    if (depth > maxNamespaceDepth || seen.has(path)) return [];
    seen.add(path);
    const found = this.symbols
      .inFile(path)
      .filter((symbol) => symbol.container === undefined && symbol.exported);
    for (const reExport of this.syntaxOf(path).reExports) {
      const target = this.resolver.resolve(path, reExport.specifier);
      if (target === undefined || reExport.namespace !== undefined) continue;
      if (reExport.names)
        for (const { imported } of reExport.names)
          found.push(...this.exported(target, imported, 0, new Set()));
      else found.push(...this.collectExports(target, depth + 1, seen));
    }
    return found;
  }

  /** The module `path` exports as namespace `name` (`export * as name from`), following re-exports. */
  private exportedNamespace(
    path: string,
    name: string,
    depth: number,
    seen: Set<string>,
  ): string | undefined {
    const key = `${path}\0${name}`;
    if (depth > maxDepth || seen.has(key)) return undefined;
    seen.add(key);
    const syntax = this.syntaxOf(path);
    const local = syntax.localExports.find((entry) => entry.exported === name)?.local ?? name;
    const binding = syntax.imports.find((entry) => entry.local === local);
    if (binding) {
      const target = this.resolver.resolve(path, binding.specifier);
      if (target === undefined || binding.imported === "*") return target;
      return this.exportedNamespace(target, binding.imported, depth + 1, seen);
    }
    for (const reExport of syntax.reExports) {
      const target = this.resolver.resolve(path, reExport.specifier);
      if (target === undefined) continue;
      if (reExport.namespace === name) return target;
      const entry = reExport.names?.find((candidate) => candidate.exported === name);
      const found = entry
        ? this.exportedNamespace(target, entry.imported, depth + 1, seen)
        : !reExport.names && reExport.namespace === undefined
          ? this.exportedNamespace(target, name, depth + 1, seen)
          : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The top-level definitions module `path` exports as `name`. */
  exported(path: string, name: string, depth: number, seen: Set<string>): WorkspaceSymbol[] {
    const key = `${path}\0${name}`;
    if (depth > maxDepth || seen.has(key)) return [];
    seen.add(key);
    const syntax = this.syntaxOf(path);
    const local = syntax.localExports.find((entry) => entry.exported === name)?.local;
    const ownName = local ?? (name === "default" ? undefined : name);
    if (ownName !== undefined) {
      const own = this.symbols.inFile(path).filter((symbol) => symbol.name === ownName && !symbol.container);
      if (own.length > 0) return own;
      const binding = syntax.imports.find((entry) => entry.local === ownName);
      if (binding) {
        const target = this.resolver.resolve(path, binding.specifier);
        if (target !== undefined && binding.imported !== "*")
          return this.exported(target, binding.imported, depth + 1, seen);
      }
    }
    const wildcards: string[] = [];
    for (const reExport of syntax.reExports) {
      if (reExport.namespace !== undefined) continue;
      if (!reExport.names) {
        wildcards.push(reExport.specifier);
        continue;
      }
      const entry = reExport.names.find((candidate) => candidate.exported === name);
      const target = entry && this.resolver.resolve(path, reExport.specifier);
      if (entry && target !== undefined) return this.exported(target, entry.imported, depth + 1, seen);
    }
    if (name === "default") return [];
    for (const specifier of wildcards) {
      const target = this.resolver.resolve(path, specifier);
      const found = target === undefined ? [] : this.exported(target, name, depth + 1, seen);
      if (found.length > 0) return found;
    }
    return [];
  }
}
