import {
  isJavaScriptGlobal,
  isNodeBuiltinModule,
  isPythonBuiltin,
  isPythonStdlibModule,
  isTypeScriptLibType,
  javaScriptFunctionMembers,
  javaScriptGlobalMembers,
  javaScriptGlobalNames,
  javaScriptInstanceMembers,
  javaScriptObjectMembers,
  nodeBuiltinModuleNames,
  nodeModuleExports,
  pythonBuiltinNames,
  pythonObjectMembers,
  pythonStdlibModuleNames,
} from "./data/builtins.js";
import type { DetectOptions } from "./detect.js";
import type { ImportFact, LocalClass, MemberFact, Receiver, SnippetFacts } from "./facts.js";
import type { Finding, Span } from "./finding.js";
import { pythonReceiverMembers, type ReceiverMembers } from "./pythonReceivers.js";
import { pythonTypesFor, stdlibSubmoduleMissing } from "./pythonWorkspaceTypes.js";
import { stdlibModuleNames } from "./python/stdlibModuleNames.js";
import { nearestNames } from "./suggest.js";
import type { DetectorWorkspace } from "./workspace.js";

/** Judges the facts of one parsed snippet against built-ins and the workspace, producing findings. */
export class SnippetChecker {
  /** Spans (in the snippet) of names that were checked and exist. */
  readonly judged: Span[] = [];
  private readonly python: boolean;

  constructor(
    private readonly facts: SnippetFacts,
    private readonly options: DetectOptions,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.python = options.language === "python";
    // Names bound by the snippet or its file were judged by the binding analysis.
    for (const span of facts.judged) if (this.inSnippet(span)) this.judged.push(this.span(span));
  }

  private inSnippet(span: { start: number; end: number }): boolean {
    return span.start >= this.from && span.end <= this.to;
  }

  private span(span: { start: number; end: number }): Span {
    return { start: span.start - this.from, end: span.end - this.from };
  }

  private get workspace(): DetectorWorkspace {
    return this.options.workspace;
  }

  checkReferences(): Finding[] {
    const findings: Finding[] = [];
    const known = new Map<string, boolean>();
    for (const reference of this.facts.references) {
      if (!this.inSnippet(reference)) continue;
      const key = `${reference.isType}:${reference.name}`;
      let exists = known.get(key);
      if (exists === undefined)
        known.set(key, (exists = this.symbolExists(reference.name, reference.isType)));
      if (exists) {
        this.judged.push(this.span(reference));
        continue;
      }
      findings.push({
        kind: "unknownSymbol",
        span: this.span(reference),
        name: reference.name,
        evidence: `${reference.isType ? "type " : ""}\`${reference.name}\` is not bound in the snippet or its file, is not a ${this.python ? "Python" : "JavaScript/TypeScript"} built-in, and no workspace file defines it`,
        suggestions: nearestNames(reference.name, this.symbolCandidates()),
      });
    }
    return findings;
  }

  private symbolExists(name: string, isType: boolean): boolean {
    if (this.python)
      return isPythonBuiltin(name) || this.workspace.hasSymbol(name) || this.fromStarImport(name);
    if (isJavaScriptGlobal(name) || this.workspace.hasSymbol(name)) return true;
    // `arguments` is bound implicitly in every non-arrow function.
    if (name === "arguments") return true;
    return isType && isTypeScriptLibType(name);
  }

  private starNames: (Set<string> | undefined)[] | undefined;

  /** Whether `name` may come from a `from m import *`: m exports it, or m's exports are not knowable. */
  private fromStarImport(name: string): boolean {
    this.starNames ??= (this.facts.starImports ?? []).map((specifier) => this.starExports(specifier));
    return this.starNames.some((names) => names === undefined || names.has(name));
  }

  private starExports(specifier: string): Set<string> | undefined {
    if (!specifier.startsWith(".") && isPythonStdlibModule(specifier)) {
      const fromStub = this.pythonTypes.starNames(specifier);
      if (fromStub !== undefined) return fromStub;
    }
    const exports = this.moduleExports(specifier);
    return exports === undefined ? undefined : new Set([...exports].filter((name) => !name.startsWith("_")));
  }

  private get pythonTypes() {
    return pythonTypesFor(this.workspace);
  }

  private *symbolCandidates(): Iterable<string> {
    yield* this.facts.bound;
    yield* this.workspace.symbolNames();
    yield* this.python ? pythonBuiltinNames() : javaScriptGlobalNames();
  }

  checkImports(): Finding[] {
    const findings: Finding[] = [];
    for (const fact of this.facts.imports) {
      if (!this.inSnippet(fact)) continue;
      if (fact.specifier === "") continue;
      if (!this.importResolves(fact.specifier)) {
        findings.push({
          kind: "unknownPackage",
          span: this.span(fact),
          name: fact.specifier,
          evidence: this.missingImportEvidence(fact.specifier),
          suggestions: nearestNames(packageNameOf(fact.specifier, this.python), this.packageCandidates()),
        });
        continue;
      }
      this.judged.push(this.span(fact));
      findings.push(...this.checkImportedNames(fact));
    }
    return findings;
  }

  private importResolves(specifier: string): boolean {
    if (this.python) {
      if (!specifier.startsWith(".") && isPythonStdlibModule(specifier))
        return !stdlibSubmoduleMissing(specifier);
    } else if (specifier.startsWith("node:") || isNodeBuiltinModule(specifier)) {
      return isNodeBuiltinModule(specifier);
    }
    return this.workspace.resolveImport(this.options.path, specifier, this.options.language) === "ok";
  }

  private missingImportEvidence(specifier: string): string {
    if (isRelative(specifier)) return `no workspace file matches the relative import \`${specifier}\``;
    if (specifier.startsWith("node:")) return `\`${specifier}\` is not a Node built-in module`;
    const name = packageNameOf(specifier, this.python);
    if (this.python && isPythonStdlibModule(specifier))
      return `standard module \`${name}\` has no submodule \`${specifier.slice(name.length + 1)}\``;
    return this.python
      ? `\`${name}\` is not in the standard library, not a workspace module, and not declared (requirements/pyproject) or installed (site-packages)`
      : `\`${name}\` is not a Node built-in, not declared in package.json, and not installed in node_modules`;
  }

  private *packageCandidates(): Iterable<string> {
    yield* this.workspace.packageNames(this.options.language);
    yield* this.python ? pythonStdlibModuleNames() : nodeBuiltinModuleNames();
  }

  private moduleExports(specifier: string): Set<string> | undefined {
    if (this.python) {
      if (!specifier.startsWith(".") && isPythonStdlibModule(specifier)) return stdlibModuleNames(specifier);
    } else if (isNodeBuiltinModule(specifier)) {
      return nodeModuleExports(specifier);
    }
    return this.workspace.moduleExports(this.options.path, specifier, this.options.language);
  }

  /**
   * JS/TS: the names of a namespace a module exports as `name` (`default` for a default import), with
   * what every object has (TypeScript's apparent members of any object type).
   */
  private namespaceExports(specifier: string, name: string): Set<string> | undefined {
    if (this.python) return undefined;
    const names = this.workspace.namespaceExports?.(
      this.options.path,
      specifier,
      name,
      this.options.language,
    );
    return this.withObjectMembers(names);
  }

  private checkImportedNames(fact: ImportFact): Finding[] {
    if (fact.names.length === 0) return [];
    const exports = this.moduleExports(fact.specifier);
    if (exports === undefined) return [];
    const findings: Finding[] = [];
    for (const imported of fact.names) {
      if (!this.inSnippet(imported)) continue;
      if (exports.has(imported.name)) {
        this.judged.push(this.span(imported));
        continue;
      }
      findings.push({
        kind: "unknownMember",
        span: this.span(imported),
        name: imported.name,
        container: fact.specifier,
        evidence: `module \`${fact.specifier}\` does not export \`${imported.name}\``,
        suggestions: nearestNames(imported.name, exports),
      });
    }
    return findings;
  }

  checkMembers(): Finding[] {
    const findings: Finding[] = [];
    const cache = new Map<string, ReceiverMembers | undefined>();
    for (const member of this.facts.members) {
      if (!this.inSnippet(member)) continue;
      const key = JSON.stringify(member.receiver);
      if (!cache.has(key)) cache.set(key, this.receiverMembers(member.receiver));
      const known = cache.get(key);
      if (known === undefined || (known.publicOnly && member.member.startsWith("_"))) continue;
      const members = known.members;
      if (members.has(member.member)) {
        this.judged.push(this.span(member));
        continue;
      }
      findings.push(this.memberFinding(member, members));
    }
    return findings;
  }

  private memberFinding(member: MemberFact, members: Set<string>): Finding {
    // Python `datetime.date`: a dotted path that is not a module names a class of one.
    const notModule =
      this.python && member.receiver.kind === "module" && !this.importResolves(member.receiver.specifier);
    const what = notModule
      ? `\`${member.receiverText}\``
      : describeReceiver(member.receiver, member.receiverText);
    return {
      kind: "unknownMember",
      span: this.span(member),
      name: member.member,
      container: member.receiverText,
      evidence: `${what} has no member \`${member.member}\``,
      suggestions: nearestNames(member.member, members),
    };
  }

  /** What the plain name analysis knows, else (Python) what stubs and sources type. */
  private receiverMembers(receiver: Receiver): ReceiverMembers | undefined {
    const members = this.membersOfReceiver(receiver);
    if (members !== undefined || !this.python) return members && { members, publicOnly: false };
    return pythonReceiverMembers(receiver, {
      types: this.pythonTypes,
      isOwnClass: (name) =>
        this.facts.localClasses().has(name) || this.workspace.membersOf(name) !== undefined,
      ownClassMembers: (name) => this.withObjectMembers(this.classMembers(name, new Set())),
      ownInstanceMembers: (name) => this.withObjectMembers(this.classMembers(name, new Set())),
      moduleResolves: (specifier) => this.importResolves(specifier),
      moduleExports: (specifier) => this.moduleExports(specifier),
    });
  }

  private membersOfReceiver(receiver: Receiver, imported = false): Set<string> | undefined {
    switch (receiver.kind) {
      case "chain":
      case "firstResolving":
        return undefined;
      case "module":
        if (receiver.viaDefaultImport === true && !isNodeBuiltinModule(receiver.specifier))
          return this.namespaceExports(receiver.specifier, "default");
        return this.moduleExports(receiver.specifier);
      case "instance":
        return this.withObjectMembers(
          this.classMembers(receiver.typeName, new Set()) ??
            (this.python || receiver.boundInFile === true
              ? undefined
              : javaScriptInstanceMembers(receiver.typeName)),
        );
      case "self":
        return this.withObjectMembers(this.classMembers(receiver.className, new Set()));
      case "importedName": {
        // A Python `from pkg import mod` may bring a module; otherwise the name is a class (or not knowable).
        if (this.python) {
          const asModule = joinModuleName(receiver.specifier, receiver.name);
          if (this.importResolves(asModule)) {
            const exports = this.moduleExports(asModule);
            if (exports !== undefined) return exports;
          }
        }
        return (
          this.namespaceExports(receiver.specifier, receiver.name) ??
          this.membersOfReceiver({ kind: "value", name: receiver.name }, true)
        );
      }
      case "value": {
        if (
          imported === true &&
          !this.facts.localClasses().has(receiver.name) &&
          this.workspace.membersOf(receiver.name) === undefined
        )
          return undefined;
        if (!this.python && isJavaScriptGlobal(receiver.name)) return javaScriptGlobalMembers(receiver.name);
        const members = this.classMembers(receiver.name, new Set());
        if (members === undefined || this.python) return this.withObjectMembers(members);
        for (const member of javaScriptFunctionMembers()) members.add(member);
        return members;
      }
    }
  }

  private withObjectMembers(members: Set<string> | undefined): Set<string> | undefined {
    if (members === undefined) return undefined;
    const extra = this.python ? pythonObjectMembers() : javaScriptObjectMembers();
    const out = new Set(members);
    for (const member of extra) out.add(member);
    // Instances of Python classes also carry __dict__ and __module__ beyond dir(object).
    if (this.python) for (const member of ["__dict__", "__module__", "__weakref__"]) out.add(member);
    return out;
  }

  /**
   * A class's members from the parsed text and the workspace, bases included; undefined if any part is
   * unknowable.
   */
  private classMembers(name: string, seen: Set<string>): Set<string> | undefined {
    if (seen.has(name)) return new Set();
    seen.add(name);
    const local: LocalClass | undefined = this.facts.localClasses().get(name);
    const fromWorkspace = this.workspace.membersOf(name);
    if (local === undefined) return fromWorkspace === undefined ? undefined : new Set(fromWorkspace);
    const members = new Set([...local.members, ...(fromWorkspace ?? [])]);
    for (const base of local.bases) {
      if (this.python && base === "object") continue;
      const inherited = this.facts.localClasses().has(base)
        ? this.classMembers(base, seen)
        : (this.workspace.membersOf(base) ?? (this.python ? undefined : javaScriptInstanceMembers(base)));
      if (inherited === undefined) return undefined;
      for (const member of inherited) members.add(member);
    }
    return members;
  }
}

function describeReceiver(receiver: Receiver, text: string): string {
  switch (receiver.kind) {
    case "module":
      return `module \`${receiver.specifier}\` (as \`${text}\`)`;
    case "instance":
      return `\`${text}\`, a \`${receiver.typeName}\`,`;
    case "self":
      return `class \`${receiver.className}\` (\`${text}\`)`;
    case "importedName":
    case "value":
    case "chain":
    case "firstResolving":
      return `\`${text}\``;
  }
}

function joinModuleName(specifier: string, name: string): string {
  return specifier.endsWith(".") ? specifier + name : `${specifier}.${name}`;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith(".") || specifier.startsWith("/");
}

/** The package part of a specifier: `@scope/name` or `name` (JS), the top-level module (Python). */
export function packageNameOf(specifier: string, python: boolean): string {
  if (python) return specifier.startsWith(".") ? specifier : specifier.split(".")[0]!;
  if (isRelative(specifier)) return specifier;
  const bare = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  const parts = bare.split("/");
  return bare.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}
