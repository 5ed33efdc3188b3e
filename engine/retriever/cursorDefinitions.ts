import type { SymbolKind } from "./fileAnalyzer.js";
import type { LineRange } from "./recency.js";
import { moduleSyntaxOf, type ImportBinding } from "./moduleSyntax.js";
import {
  declaredTypeName,
  enclosingClassName,
  heritageNames,
  memberTypeName,
  partialNameBeforeCursor,
  receiverBeforeCursor,
} from "./receiverType.js";
import type { WorkspaceSymbol } from "./symbolTable.js";
import type { WorkspaceIndex } from "./workspaceIndex.js";

/** The text the editor holds around the cursor: what is before it and what is after it. */
export interface CursorText {
  before: string;
  after: string;
}

const typeKinds: readonly SymbolKind[] = ["class", "interface", "type", "enum"];
/** A type name defined more often than this in the workspace, and not imported, is not guessed at. */
const maxUnimportedTypeDefinitions = 3;
/** Base types followed from a receiver's type (`class A extends B`, B's bases, …). */
const maxHeritageDepth = 6;

/**
 * Definitions, best first: the chunk that holds each, the definition's lines in it (a chunk may pack
 * several definitions: the one meant is what the prompt needs), and why it is there.
 */
export type RankedDefinitions = { chunkId: number; focus: LineRange; why: string }[];

export interface CursorDefinitions {
  /** After `expr.`: the members of expr's declared type (its bases' too), those the file uses most first. */
  members: RankedDefinitions;
  /**
   * The definitions of the names the file imports, resolved per name through re-exports: values
   * before types unless the cursor is where a type goes; then names imported but not used yet in the
   * editor's text (imported to be used), then the names used most.
   */
  imports: RankedDefinitions;
}

/**
 * The chunks that define what the code at the cursor most likely uses next. A name partly typed at the
 * cursor keeps only the names it starts.
 */
export function cursorDefinitions(
  index: WorkspaceIndex,
  path: string,
  cursor: CursorText,
  limit: number,
): CursorDefinitions {
  const result: CursorDefinitions = { members: [], imports: [] };
  const seen = new Set<string>();
  const add = (
    into: RankedDefinitions,
    symbols: readonly WorkspaceSymbol[],
    why: (symbol: WorkspaceSymbol) => string,
  ): void => {
    for (const symbol of symbols) {
      if (into.length >= limit) return;
      const chunk = index.chunkAt(symbol.path, symbol.startLine);
      const key = `${symbol.path}:${symbol.startLine}`;
      if (!chunk || seen.has(key)) continue;
      seen.add(key);
      const focus = { startLine: symbol.startLine, endLine: Math.min(symbol.endLine, chunk.endLine) };
      into.push({ chunkId: chunk.id, focus, why: why(symbol) });
    }
  };
  const imports = importsAt(index, path, cursor);
  const uses = nameUses(withoutImportStatements(`${cursor.before}\n${cursor.after}`));
  const usesOf = (name: string, counts: Map<string, number>): number => counts.get(name) ?? 0;

  const receiver = receiverBeforeCursor(cursor.before);
  if (receiver) {
    const types = new TypeLookup(index, path, imports, cursor);
    const members = types
      .receiverMembers(receiver.chain)
      .filter((member) => startsWith(member.name, receiver.partial))
      .map((member) => ({
        member,
        uses: usesOf(member.name, uses.afterDot),
        method: Number(member.kind === "method" || member.kind === "function"),
      }));
    members.sort((a, b) => b.uses - a.uses || b.method - a.method);
    add(
      result.members,
      members.map(({ member }) => member),
      (member) =>
        `receiver: ${receiver.chain.join(".")} has ${member.container ?? member.path}.${member.name}`,
    );
  }

  const partial = receiver ? "" : partialNameBeforeCursor(cursor.before);
  const named = [...imports.values()].filter(
    (binding) => binding.imported !== "*" && startsWith(binding.local, partial),
  );
  const typePosition = isTypePosition(cursor.before);
  const definitions = named.map((binding) => {
    const symbols = index.finder.imported(path, binding);
    const isType = symbols.length > 0 && symbols.every((symbol) => typeOnlyKinds.includes(symbol.kind));
    const used = usesOf(binding.local, uses.anywhere);
    return { binding, symbols, fits: Number(isType === typePosition), unused: Number(used === 0), used };
  });
  definitions.sort((a, b) => b.fits - a.fits || b.unused - a.unused || b.used - a.used);
  for (const { binding, symbols } of definitions)
    add(
      result.imports,
      symbols,
      (symbol) => `import: ${binding.local} from ${binding.specifier} (${symbol.path})`,
    );
  return result;
}

const typeOnlyKinds: readonly SymbolKind[] = ["interface", "type"];

/** Whether the cursor is where a type is written: after `x:`, `<`, `extends`, `implements`, `as`. */
function isTypePosition(before: string): boolean {
  return typePositionEnd.test(before.slice(-200));
}

const typePositionEnd = new RegExp(
  String.raw`(?:[\p{L}\p{N}_$)?]\s*:|<|\b(?:extends|implements|as|satisfies)` +
    String.raw`|\btype\s+[\p{L}_$][\p{L}\p{N}_$]*\s*=)\s*$`,
  "u",
);

/** The bindings the file imports, from the editor's text and from the indexed file, by local name. */
function importsAt(index: WorkspaceIndex, path: string, cursor: CursorText): Map<string, ImportBinding> {
  const bindings = new Map<string, ImportBinding>();
  for (const binding of moduleSyntaxOf(`${cursor.before}\n${cursor.after}`).imports)
    bindings.set(binding.local, binding);
  for (const binding of index.moduleSyntax(path).imports)
    if (!bindings.has(binding.local)) bindings.set(binding.local, binding);
  return bindings;
}

/** Resolves the types of receivers and lists their members. */
class TypeLookup {
  constructor(
    private readonly index: WorkspaceIndex,
    private readonly path: string,
    private readonly imports: Map<string, ImportBinding>,
    private readonly cursor: CursorText,
  ) {}

  /** The members of what `a.b.c` is, following declared types member by member. */
  receiverMembers(chain: readonly string[]): WorkspaceSymbol[] {
    const [head, ...rest] = chain;
    // `this.a…`: a's declaration is most often in the editor's text (a field, a constructor parameter).
    if (head === "this" && rest.length > 0) {
      const declared = declaredTypeName(rest[0]!, this.cursor.before, this.cursor.after);
      if (declared !== undefined) {
        let members = this.membersOf(this.typeDefinitions(declared, this.path, this.imports));
        for (const member of rest.slice(1)) members = this.memberTypeMembers(members, member);
        return members;
      }
    }
    let members = this.headMembers(head!);
    for (const member of rest) members = this.memberTypeMembers(members, member);
    return members;
  }

  /** The members of the type that member `name` (one of `members`) is declared with. */
  private memberTypeMembers(members: readonly WorkspaceSymbol[], name: string): WorkspaceSymbol[] {
    const declaration = members.find((candidate) => candidate.name === name);
    if (!declaration) return [];
    const typeName = memberTypeName(name, this.declarationText(declaration));
    if (typeName === undefined) return [];
    return this.membersOf(this.typeDefinitions(typeName, declaration.path, this.importsOf(declaration.path)));
  }

  private headMembers(head: string): WorkspaceSymbol[] {
    if (head === "this") {
      const className = enclosingClassName(this.cursor.before);
      return className === undefined
        ? []
        : this.membersOf(this.typeDefinitions(className, this.path, this.imports));
    }
    const binding = this.imports.get(head);
    if (binding) {
      const namespace = this.index.finder.namespaceModule(this.path, binding);
      if (namespace !== undefined) return [...this.index.finder.exportsOf(namespace)];
      const imported = this.index.finder.imported(this.path, binding);
      if (imported.some((symbol) => symbol.kind === "class" || symbol.kind === "enum"))
        return this.membersOf(imported);
    }
    const declared = declaredTypeName(head, this.cursor.before, this.cursor.after);
    if (declared !== undefined)
      return this.membersOf(this.typeDefinitions(declared, this.path, this.imports));
    // A variable named after its type (`subscriber: Subscriber`), when no declaration is in sight.
    const named = head[0]!.toUpperCase() + head.slice(1);
    return named === head ? [] : this.membersOf(this.typeDefinitions(named, this.path, this.imports));
  }

  /** The class/interface/type definitions a type name means where `imports` are in scope. */
  private typeDefinitions(
    typeName: string,
    fromPath: string,
    imports: ReadonlyMap<string, ImportBinding>,
  ): readonly WorkspaceSymbol[] {
    const binding = imports.get(typeName);
    if (binding) {
      const imported = this.index.finder.imported(fromPath, binding);
      if (imported.length > 0) return imported;
    }
    const defined = this.index.symbols.byName(typeName, typeKinds);
    const local = defined.filter((symbol) => symbol.path === fromPath);
    if (local.length > 0) return local;
    return defined.length <= maxUnimportedTypeDefinitions ? defined : [];
  }

  /** Members of these type definitions and of their bases, the type's own first. */
  private membersOf(
    types: readonly WorkspaceSymbol[],
    depth = 0,
    seen = new Set<string>(),
  ): WorkspaceSymbol[] {
    const members: WorkspaceSymbol[] = [];
    const bases: WorkspaceSymbol[] = [];
    for (const type of types) {
      const key = `${type.path}\0${type.name}`;
      if (seen.has(key) || !typeKinds.includes(type.kind)) continue;
      seen.add(key);
      members.push(...this.index.symbols.membersOf(type.name).filter((member) => member.path === type.path));
      if (depth >= maxHeritageDepth) continue;
      for (const base of heritageNames(this.declarationText(type)))
        bases.push(...this.typeDefinitions(base, type.path, this.importsOf(type.path)));
    }
    if (bases.length > 0) members.push(...this.membersOf(bases, depth + 1, seen));
    return members;
  }

  private importsOf(path: string): Map<string, ImportBinding> {
    if (path === this.path) return this.imports;
    return new Map(this.index.moduleSyntax(path).imports.map((binding) => [binding.local, binding]));
  }

  /** A definition's text from its first line on, as the index holds it (a few lines suffice). */
  private declarationText(symbol: WorkspaceSymbol): string {
    const chunk = this.index.chunkAt(symbol.path, symbol.startLine);
    if (!chunk) return "";
    const lines = chunk.text.split("\n");
    return lines.slice(symbol.startLine - chunk.startLine, symbol.startLine - chunk.startLine + 8).join("\n");
  }
}

/** How often each identifier occurs in a text, and how often right after a dot (`x.name`). */
interface NameUses {
  anywhere: Map<string, number>;
  afterDot: Map<string, number>;
}

function nameUses(text: string): NameUses {
  const uses: NameUses = { anywhere: new Map(), afterDot: new Map() };
  let index = 0;
  while (index < text.length) {
    if (!isIdentifierStart(text.charCodeAt(index))) {
      index++;
      continue;
    }
    const start = index;
    while (index < text.length && isIdentifierPart(text.charCodeAt(index))) index++;
    const name = text.slice(start, index);
    uses.anywhere.set(name, (uses.anywhere.get(name) ?? 0) + 1);
    let before = start - 1;
    while (before >= 0 && (text[before] === " " || text[before] === "\n")) before--;
    if (text[before] === "." && !isIdentifierPart(text.charCodeAt(start - 1)))
      uses.afterDot.set(name, (uses.afterDot.get(name) ?? 0) + 1);
  }
  return uses;
}

/** ASCII letters, `_`, `$`, and anything beyond ASCII (a cheap over-approximation of ID_Start). */
function isIdentifierStart(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 36 || code > 127
  );
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || (code >= 48 && code <= 57);
}

function withoutImportStatements(text: string): string {
  return text.replace(/^\s*import\s[^;]*?from\s*["'][^"'\n]+["'];?/gmu, "");
}

function startsWith(candidate: string, partial: string): boolean {
  return partial === "" || candidate.toLowerCase().startsWith(partial.toLowerCase());
}
