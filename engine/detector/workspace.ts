import type { Definition, LanguageId } from "../syntax/index.js";
import type { PyModule } from "./python/moduleModel.js";

/** A definition found in the workspace, with its file and source text (for repair prompts). */
export interface WorkspaceDefinition extends Definition {
  path: string;
  text: string;
}

/**
 * What the detector needs to know about the project. The detector does not depend on how this is
 * built: workspaceFromFiles() is one implementation, an editor-side index can be another.
 * Language built-ins (JS globals, Node and Python standard modules) are the detector's own business.
 */
export interface DetectorWorkspace {
  /** Whether a top-level name (function, class, variable, type...) is defined somewhere in the workspace. */
  hasSymbol(name: string): boolean;
  /**
   * The members of a workspace class, interface, enum or module-like container, inherited ones included;
   * undefined when not knowable.
   */
  membersOf(containerName: string): Set<string> | undefined;
  /** Every top-level and member name, for suggestions. */
  symbolNames(): Iterable<string>;
  /**
   * Whether a non-built-in import resolves: a workspace file for relative specifiers, a declared or installed
   * package otherwise.
   */
  resolveImport(fromFile: string | undefined, specifier: string, language: LanguageId): "ok" | "missing";
  /**
   * The names a workspace module or installed package exports; undefined when not knowable (e.g. `export *`,
   * no types).
   */
  moduleExports(
    fromFile: string | undefined,
    specifier: string,
    language: LanguageId,
  ): Set<string> | undefined;
  /**
   * The names of a namespace a module exports as `name` (`export * as money from "./money.js"`, zod's
   * `z`; `default` for an `export =` module's default import); undefined when not knowable.
   */
  namespaceExports?(
    fromFile: string | undefined,
    specifier: string,
    name: string,
    language: LanguageId,
  ): Set<string> | undefined;
  /** Package names a snippet may import (declared and installed), for suggestions. */
  packageNames(language: LanguageId): Iterable<string>;
  /** The definitions named name, for repair prompts. */
  definitionsNamed(name: string): WorkspaceDefinition[];
  /**
   * Python: models of installed packages' modules by dotted name (classes, members, return types read
   * from their sources and stubs); a new map whenever they are re-read.
   */
  pythonModules?(): ReadonlyMap<string, PyModule>;
}
