import {
  decodeRefs,
  isPyClass,
  splitRef,
  starExportNames,
  symbolKind,
  type PyClass,
  type PyModule,
} from "./moduleModel.js";

/** What a Python expression is known to be, as far as stubs and sources tell. */
export type PyValue =
  | { kind: "module"; name: string }
  | { kind: "class"; ref: string }
  | { kind: "instance"; refs: string[] }
  | { kind: "function"; returns: string[] };

/** Where module models come from (typeshed's stdlib, installed packages), and which names are modules. */
export interface PyModuleSource {
  module(name: string): PyModule | undefined;
  isModule(name: string): boolean;
}

type Resolved =
  { kind: "classShape"; ref: string; shape: PyClass } | { kind: "symbol"; encoded: string } | PyValue;

/** What `None` has beyond object's members: nothing public. */
const noneClass: PyClass = { b: [], m: {} };
const maxDepth = 12;

/**
 * Types of Python values over module models: attribute and call steps, and the public members of a
 * value (inherited ones included). Flattened class members are cached for the resolver's life.
 */
export class PythonTypes {
  private readonly flattened = new Map<string, Map<string, string> | undefined>();

  constructor(private readonly source: PyModuleSource) {}

  /** The value a "module:Name" ref denotes, following re-exports and star imports. */
  resolve(ref: string, depth = 0): Resolved | undefined {
    if (ref === "None") return { kind: "classShape", ref, shape: noneClass };
    const parts = splitRef(ref);
    if (parts === undefined || depth > maxDepth) return undefined;
    const symbol = this.symbolOf(parts.module, parts.name, new Set());
    if (symbol === undefined) return this.asModule(`${parts.module}.${parts.name}`);
    if (isPyClass(symbol.value))
      return { kind: "classShape", ref: `${symbol.module}:${parts.name}`, shape: symbol.value };
    const kind = symbolKind(symbol.value);
    if (kind === "module") return { kind: "module", name: symbol.value.slice(1) };
    if (kind === "alias") {
      const targets = decodeRefs(symbol.value);
      // `from . import path as _path; path = _path` names the submodule through the package itself.
      if (targets[0] === `${symbol.module}:${parts.name}`)
        return this.asModule(`${symbol.module}.${parts.name}`);
      return targets.length === 1 ? this.resolve(targets[0]!, depth + 1) : undefined;
    }
    return { kind: "symbol", encoded: symbol.value };
  }

  private asModule(dotted: string): PyValue | undefined {
    return this.source.isModule(dotted) ? { kind: "module", name: dotted } : undefined;
  }

  private symbolOf(
    moduleName: string,
    name: string,
    seen: Set<string>,
  ): { module: string; value: PyModule["s"][string] } | undefined {
    if (seen.has(moduleName)) return undefined;
    seen.add(moduleName);
    const module = this.source.module(moduleName);
    if (module === undefined) return undefined;
    if (Object.hasOwn(module.s, name)) return { module: moduleName, value: module.s[name]! };
    for (const star of module.star ?? []) {
      const starModule = this.source.module(star);
      if (starModule === undefined || (starModule.all !== undefined && !starModule.all.includes(name)))
        continue;
      const found = this.symbolOf(star, name, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The value of a ref used as a value: a class object, a function, a module or an instance. */
  valueOfRef(ref: string): PyValue | undefined {
    const resolved = this.resolve(ref);
    if (resolved === undefined) return undefined;
    if (resolved.kind === "classShape") return { kind: "class", ref: resolved.ref };
    if (resolved.kind !== "symbol") return resolved;
    return this.valueOfEncoded(resolved.encoded, undefined);
  }

  private valueOfEncoded(encoded: string, selfRef: string | undefined): PyValue | undefined {
    const refs = decodeRefs(encoded).map((ref) => (ref === "Self" ? selfRef : ref));
    if (refs.some((ref) => ref === undefined)) return undefined;
    switch (encoded[0]) {
      case "f":
      case "m":
        return { kind: "function", returns: refs as string[] };
      case "v":
      case "a":
        return refs.length === 0 ? undefined : { kind: "instance", refs: refs as string[] };
      default:
        return undefined;
    }
  }

  /** `value.name`; undefined when not knowable. */
  attribute(value: PyValue, name: string): PyValue | undefined {
    switch (value.kind) {
      case "module": {
        return this.asModule(`${value.name}.${name}`) ?? this.valueOfRef(`${value.name}:${name}`);
      }
      case "class":
      case "instance": {
        const refs = value.kind === "class" ? [value.ref] : value.refs;
        const values = refs.map((ref) => {
          const member =
            this.membersOfClass(ref)?.get(name) ??
            (value.kind === "class" ? this.metaclassMembers(ref)?.get(name) : undefined);
          return member === undefined ? undefined : this.valueOfEncoded(member, ref);
        });
        return values.length === 1 ? values[0] : unionOf(values);
      }
      case "function":
        return undefined;
    }
  }

  /** `value(...)`: a class makes an instance, a function returns what its stub says. */
  call(value: PyValue): PyValue | undefined {
    if (value.kind === "class") return { kind: "instance", refs: [value.ref] };
    if (value.kind === "function" && value.returns.length > 0)
      return { kind: "instance", refs: value.returns };
    return undefined;
  }

  /** The public members of a class object or an instance; undefined when any part is not knowable. */
  publicMembers(value: PyValue): Set<string> | undefined {
    if (value.kind !== "class" && value.kind !== "instance") return undefined;
    const refs = value.kind === "class" ? [value.ref] : value.refs;
    const names = new Set<string>();
    for (const ref of refs) {
      const members = this.membersOfClass(ref);
      // A class object also has its metaclass's members (`type`'s, `ABCMeta.register`).
      const meta = value.kind === "class" ? this.metaclassMembers(ref) : new Map<string, string>();
      if (members === undefined || meta === undefined) return undefined;
      for (const name of [...members.keys(), ...meta.keys()]) if (!name.startsWith("_")) names.add(name);
    }
    return names;
  }

  /** The members of a class's metaclass (declared on it or a base; `type` otherwise). */
  private metaclassMembers(ref: string): Map<string, string> | undefined {
    const metaclass = this.metaclassOf(ref, new Set());
    return metaclass === null ? undefined : this.membersOfClass(metaclass ?? "builtins:type");
  }

  /** The metaclass ref, undefined for plain `type`, null when a class on the way is not known. */
  private metaclassOf(ref: string, seen: Set<string>): string | undefined | null {
    if (seen.has(ref) || seen.size > maxDepth) return undefined;
    seen.add(ref);
    const resolved = this.resolve(ref);
    if (resolved?.kind !== "classShape") return null;
    if (resolved.shape.mc !== undefined) return resolved.shape.mc;
    for (const base of resolved.shape.b) {
      const found = this.metaclassOf(base, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Whether a ref names a class whose members are all known. */
  isKnownClass(ref: string): boolean {
    return this.membersOfClass(ref) !== undefined;
  }

  private membersOfClass(ref: string, seen = new Set<string>()): Map<string, string> | undefined {
    if (this.flattened.has(ref)) return this.flattened.get(ref);
    if (seen.has(ref) || seen.size > maxDepth) return undefined;
    seen.add(ref);
    const resolved = this.resolve(ref);
    let members: Map<string, string> | undefined;
    if (resolved?.kind === "classShape" && resolved.shape.o !== 1) {
      members = new Map();
      // Later bases first, then earlier ones, then the class itself: what the MRO finds first wins.
      for (const base of [...resolved.shape.b].reverse()) {
        const inherited = this.membersOfClass(base, seen);
        if (inherited === undefined) {
          members = undefined;
          break;
        }
        for (const [name, member] of inherited) members.set(name, member);
      }
      if (members !== undefined)
        for (const [name, member] of Object.entries(resolved.shape.m)) members.set(name, member);
    }
    this.flattened.set(ref, members);
    return members;
  }

  /** The names `from module import *` binds; undefined when the module is not known. */
  starNames(moduleName: string, seen = new Set<string>()): Set<string> | undefined {
    const module = this.source.module(moduleName);
    if (module === undefined || seen.has(moduleName)) return undefined;
    seen.add(moduleName);
    const names = new Set(starExportNames(module));
    if (module.all === undefined) {
      for (const star of module.star ?? []) {
        const inner = this.starNames(star, seen);
        if (inner === undefined) return undefined;
        for (const name of inner) names.add(name);
      }
    }
    return names;
  }
}

/** `x.name` on a union: what each member is, merged when all are instances or all are functions. */
function unionOf(values: (PyValue | undefined)[]): PyValue | undefined {
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  const known = values as PyValue[];
  if (known.every((value) => value.kind === "instance"))
    return { kind: "instance", refs: [...new Set(known.flatMap((value) => value.refs))] };
  if (known.every((value) => value.kind === "function")) {
    // A function with an unknown return makes the call's result unknown.
    if (known.some((value) => value.returns.length === 0)) return { kind: "function", returns: [] };
    return { kind: "function", returns: [...new Set(known.flatMap((value) => value.returns))] };
  }
  return undefined;
}
