/**
 * The receiver before a cursor that follows `expr.`, and the type names declarations give it, read
 * lexically: annotations (`x: T`, `private x?: T<U>`), constructions (`x = new T(`), `this` inside
 * `class T`. Cheap guesses, not type checking: a miss leaves the ranking as it was.
 */

const name = String.raw`[\p{L}_$][\p{L}\p{N}_$]*`;
const receiverAtEnd = new RegExp(
  String.raw`((?:this|${name})(?:\s*[?!]?\.\s*${name})*)\s*[?!]?\.\s*(${name})?$`,
  "u",
);

export interface CursorReceiver {
  /** `this.a.b` → ["this", "a", "b"]. */
  chain: string[];
  /** What is typed of the member already ("" right after the dot). */
  partial: string;
}

/** The receiver the text before the cursor ends on (`x.`, `this.a.b.`, `x.par`), if any. */
export function receiverBeforeCursor(before: string): CursorReceiver | undefined {
  const tail = before.slice(-300);
  const match = receiverAtEnd.exec(tail);
  if (!match) return undefined;
  const start = match.index;
  // `foo().x.` or `a[0].x.`: the receiver is a call's or an index's result, not a name.
  if (start > 0 && /[)\]\p{L}\p{N}_$]/u.test(tail[start - 1]!)) return undefined;
  return { chain: match[1]!.split(/\s*[?!]?\.\s*/u), partial: match[2] ?? "" };
}

/** The identifier being typed right before the cursor (not after a dot), "" if none. */
export function partialNameBeforeCursor(before: string): string {
  const match = new RegExp(String.raw`(?<![.\p{L}\p{N}_$])(${name})$`, "u").exec(before.slice(-100));
  return match?.[1] ?? "";
}

/**
 * The type name a declaration of `variable` in the code gives it, nearest before the cursor first
 * (`before`), then after it: an annotation starting with a capital (`T`, `ns.T<U>` → `T`), or `new T(`.
 */
export function declaredTypeName(variable: string, before: string, after: string): string | undefined {
  let found: string | undefined;
  for (const at of occurrences(before, variable))
    found = typeDeclaredAt(before, at + variable.length) ?? found;
  if (found !== undefined) return found;
  for (const at of occurrences(after, variable)) {
    const declared = typeDeclaredAt(after, at + variable.length);
    if (declared !== undefined) return declared;
  }
  return undefined;
}

const declarationAfterName = new RegExp(
  String.raw`\s*[?!]?\s*(?::\s*(?:readonly\s+)?((?:${name}\.)*\p{Lu}[\p{L}\p{N}_$]*)` +
    String.raw`|=\s*new\s+((?:${name}\.)*${name}))`,
  "uy",
);
const identifierCharacter = /[\p{L}\p{N}_$]/u;

/** Where a name occurs as a whole word, not as a member (`.name`). */
function* occurrences(text: string, word: string): Generator<number> {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const previous = text[at - 1];
    const next = text[at + word.length];
    if (previous !== undefined && (previous === "." || identifierCharacter.test(previous))) continue;
    if (next !== undefined && identifierCharacter.test(next)) continue;
    yield at;
  }
}

/** Types whose members are their argument's: `Readonly<T>` has T's members. */
const memberPreservingWrappers = new Set(["Readonly", "Partial", "Required", "NonNullable"]);
const typeArgument = new RegExp(String.raw`\s*<\s*((?:${name}\.)*${name})`, "uy");

/** The type an annotation or `new T(` right after a declared name gives it. */
function typeDeclaredAt(text: string, afterName: number): string | undefined {
  declarationAfterName.lastIndex = afterName;
  const match = declarationAfterName.exec(text);
  if (!match) return undefined;
  const declared = lastSegment(match[1] ?? match[2]!);
  if (!memberPreservingWrappers.has(declared)) return declared;
  typeArgument.lastIndex = declarationAfterName.lastIndex;
  const argument = typeArgument.exec(text);
  return argument ? lastSegment(argument[1]!) : declared;
}

/** The class a cursor is inside: the last `class T` opened before it. */
export function enclosingClassName(before: string): string | undefined {
  let found: string | undefined;
  for (const match of before.matchAll(new RegExp(String.raw`\bclass\s+(${name})`, "gu"))) found = match[1];
  return found;
}

/** The type a member's declaration line gives it (`x: T`, `x = new T(`, `x(): T {`). */
export function memberTypeName(member: string, declarationText: string): string | undefined {
  const returns = new RegExp(
    String.raw`${member.replaceAll("$", "\\$")}\s*(?:<[^>]*>)?\([^)]*\)\s*:` +
      String.raw`\s*((?:${name}\.)*\p{Lu}[\p{L}\p{N}_$]*)`,
    "u",
  ).exec(declarationText);
  return returns ? lastSegment(returns[1]!) : declaredTypeName(member, declarationText, "");
}

/** The types a class or interface declaration extends or implements (`extends A<T>, B implements C`). */
export function heritageNames(declarationText: string): string[] {
  const header = /^[^{]*/u.exec(declarationText)?.[0] ?? "";
  const clause = /\b(?:extends|implements)\b([\s\S]*)$/u.exec(header)?.[1] ?? "";
  const withoutGenerics = clause.replace(/<[^<>]*(?:<[^<>]*>[^<>]*)*>/gu, "");
  return [...withoutGenerics.matchAll(new RegExp(`(?:${name}\\.)*(${name})`, "gu"))]
    .map((match) => match[1]!)
    .filter((heritage) => heritage !== "extends" && heritage !== "implements");
}

function lastSegment(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf(".") + 1);
}
