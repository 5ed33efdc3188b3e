import {
  isJavaScriptGlobal,
  isPythonBuiltin,
  isTypeScriptLibType,
  javaScriptGlobalMembers,
  javaScriptInstanceMembers,
  nodeModuleExports,
  pythonStdlibModuleMembers,
  isNodeBuiltinModule,
  isPythonStdlibModule,
} from "../../engine/detector/data/builtins.js";
import { inventedName, inventedNpmPackage, inventedPythonPackage, freshName, typo } from "./names.js";
import type { Random } from "./random.js";

export type LabelKind = "unknownSymbol" | "unknownMember" | "unknownPackage";

export interface Label {
  kind: LabelKind;
  name: string;
}

/** Part of a snippet: import lines (hoisted to the top) and body lines, with what was planted in them. */
export interface Fragment {
  imports?: string[];
  lines: string[];
  planted?: Label[];
}

export type FragmentMaker = (g: Generation, plant: boolean) => Fragment;

/**
 * Generation state for one workspace: fresh local names per snippet, and planted names checked against
 * everything that exists (workspace names, words of its files, built-ins, dependencies).
 */
export class Generation {
  private counter = 0;

  constructor(
    readonly random: Random,
    readonly typescript: boolean,
    readonly python: boolean,
    /** Every identifier-like word in the workspace's files and manifests. */
    private readonly existingWords: Set<string>,
    readonly dependencies: string[],
  ) {}

  /** A local name unique in the evaluation set (so fragments never collide). */
  local(base: string, pascal = false): string {
    this.counter += 1;
    const name = `${base}${this.counter}`;
    return pascal ? name[0]!.toUpperCase() + name.slice(1) : name;
  }

  private symbolTaken = (name: string): boolean =>
    this.existingWords.has(name) ||
    (this.python
      ? isPythonBuiltin(name) || isPythonStdlibModule(name)
      : isJavaScriptGlobal(name) || isTypeScriptLibType(name));

  freshSymbol(style: "camel" | "snake" | "pascal"): string {
    return freshName(() => inventedName(this.random, style), this.symbolTaken);
  }

  typoOf(name: string): string {
    return typo(this.random, name);
  }

  /** A typo of a real name that exists nowhere. */
  freshTypo(real: string): string {
    return freshName(
      () => typo(this.random, real),
      (name) => name === real || this.symbolTaken(name),
    );
  }

  /**
   * A member the owner does not have: owner is a JS global, a lib type, a Node module, a Python stdlib
   * module, or an explicit member list.
   */
  freshMember(candidates: readonly string[], owner: string | Set<string>): string {
    const real = typeof owner === "string" ? this.realMembers(owner) : owner;
    const free = candidates.filter((name) => !real.has(name) && !this.existingWords.has(name));
    if (free.length === 0) {
      const where = typeof owner === "string" ? owner : `{ ${[...owner].join(", ")} }`;
      throw new Error(`every candidate member exists on ${where}`);
    }
    return this.random.pick(free);
  }

  private realMembers(owner: string): Set<string> {
    if (this.python) return pythonStdlibModuleMembers(owner) ?? new Set();
    if (isNodeBuiltinModule(owner)) return nodeModuleExports(owner) ?? new Set();
    return javaScriptGlobalMembers(owner) ?? javaScriptInstanceMembers(owner) ?? new Set();
  }

  freshPackage(make: () => string): string {
    return freshName(make, (name) => {
      // A dotted Python name plants a missing submodule of a real package: only its last part must not exist.
      if (this.python && name.includes("."))
        return this.existingWords.has(name.split(".").pop()!) || isPythonStdlibModule(name);
      const head = this.python
        ? name.split(".")[0]!
        : name.startsWith("@")
          ? name.split("/").slice(0, 2).join("/")
          : name.split("/")[0]!;
      return (
        this.dependencies.includes(head) ||
        this.existingWords.has(head) ||
        (this.python ? isPythonStdlibModule(name) : isNodeBuiltinModule(name))
      );
    });
  }

  inventedPackage(): string {
    return this.python ? inventedPythonPackage(this.random) : inventedNpmPackage(this.random);
  }
}
