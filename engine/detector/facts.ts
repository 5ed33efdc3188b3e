/** What a receiver of a member access is, as far as the snippet and its context tell. */
export type Receiver =
  /** A module namespace: `import * as fs from "fs"`, `require("x")`, Python `import os`. */
  | { kind: "module"; specifier: string; viaDefaultImport?: boolean }
  /**
   * An instance of a named type: `new Map()`, `x: Store`, Python `s = Store()`. `boundInFile`: the name is
   * imported or declared in the file, so it never means the lib global of that name.
   */
  | { kind: "instance"; typeName: string; boundInFile?: boolean }
  /** `this` / `self` inside a class of the parsed text. */
  | { kind: "self"; className: string }
  /**
   * A name imported by name (`import { Cart }`, `from app import storage`): a class or enum, or a Python
   * submodule.
   */
  | { kind: "importedName"; specifier: string; name: string }
  /** A name the parsed text does not bind: a global or a workspace class, enum or namespace. */
  | { kind: "value"; name: string }
  /**
   * Python: what `root` leads to through attribute steps (".name") and calls ("()"), typed by stubs:
   * `Path("x").parent`, `date.today()`, `"x".upper()`.
   */
  | { kind: "chain"; root: Receiver; steps: string[] }
  /**
   * Python `try: import ujson as j` / `except ImportError: import json as j`: the first option whose
   * module resolves is what the name holds.
   */
  | { kind: "firstResolving"; options: Receiver[] };

export interface ReferenceFact {
  name: string;
  start: number;
  end: number;
  /** A type position (TypeScript), checked against types rather than values. */
  isType: boolean;
}

export interface MemberFact {
  receiver: Receiver;
  receiverText: string;
  member: string;
  start: number;
  end: number;
}

export interface ImportedName {
  name: string;
  start: number;
  end: number;
}

export interface ImportFact {
  specifier: string;
  /** The span of the specifier as written (without quotes). */
  start: number;
  end: number;
  /** Names imported from it by name (`import { a }`, `from m import a`), checked against its exports. */
  names: ImportedName[];
}

export interface LocalClass {
  members: Set<string>;
  bases: string[];
}

/** Everything the checks need from a parsed snippet and its context; offsets are in the parsed text. */
export interface SnippetFacts {
  references: ReferenceFact[];
  members: MemberFact[];
  imports: ImportFact[];
  /** Classes the parsed text defines: their own members and their base names (computed on first call). */
  localClasses: () => Map<string, LocalClass>;
  /** Every name the parsed text binds (for suggestions). */
  bound: Set<string>;
  /** Python: modules star-imported (`from os.path import *`); unbound names may come from them. */
  starImports?: string[];
  /** Spans of names that were checked and found, so low-confidence tokens there are already judged. */
  judged: { start: number; end: number }[];
}

/** Tracks per bound name what it is known to hold; a name bound twice differently becomes unknowable. */
export class Bindings {
  readonly names = new Set<string>();
  private readonly receivers = new Map<string, Receiver | null>();

  bind(name: string, receiver?: Receiver): void {
    this.names.add(name);
    const existing = this.receivers.get(name);
    if (receiver === undefined) {
      this.receivers.set(name, null);
    } else if (existing === undefined) {
      this.receivers.set(name, receiver);
    } else if (existing !== null && JSON.stringify(existing) !== JSON.stringify(receiver)) {
      this.receivers.set(name, null);
    }
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** What the name holds, or null when bound but unknowable, or undefined when not bound at all. */
  receiverOf(name: string): Receiver | null | undefined {
    return this.receivers.get(name);
  }
}
