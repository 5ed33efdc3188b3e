// Labelled retrieval cases from code this project did not write: call sites whose callee the
// TypeScript compiler's type checker resolves (as go-to-definition does) to a definition in another
// file of the same source tree. Nothing here reads Coop's own tables: the labels are the compiler's.
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import ts from "typescript";

export interface Definition {
  /** Relative to the source root, `/`-separated. */
  path: string;
  /** 0-based line of the definition's name, and that line's text. */
  line: number;
  lineText: string;
}

export interface CallSite {
  /** The file of the call, relative to the source root. */
  path: string;
  /** The whole file's text. */
  text: string;
  /** Where the callee's name starts (the cursor) and the line it is on (0-based). */
  nameOffset: number;
  line: number;
  /** The end of the line where the call ends: the editor's text after the cursor starts here. */
  afterCallLine: number;
  callee: string;
  /** Every declaration the compiler finds for the callee (overloads included), all in other files. */
  definitions: Definition[];
}

/** Every `.ts` file under a folder (declaration files and tests left out), relative and sorted. */
export async function typeScriptFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .filter((path) => !/\.(spec|test)\.ts$/.test(path))
    .sort();
}

/**
 * Call sites in the TypeScript sources under `root` whose callee (a plain name or `receiver.name`)
 * the type checker resolves, through imports and re-exports, to declarations that are all in other
 * files under `root`. In file order, then source order.
 */
export async function crossFileCallSites(root: string): Promise<CallSite[]> {
  return (await labelledCallSites(root)).crossFile;
}

/**
 * Call sites labelled by the type checker, split by where the callee's declarations are: all in other
 * files under `root` (`crossFile`), or all in the call's own file (`sameFile`).
 */
export async function labelledCallSites(
  root: string,
): Promise<{ crossFile: CallSite[]; sameFile: CallSite[] }> {
  const paths = await typeScriptFiles(root);
  const program = ts.createProgram(
    paths.map((path) => join(root, path)),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: [],
      noEmit: true,
      skipLibCheck: true,
      strict: true,
    },
  );
  const checker = program.getTypeChecker();
  const relativePath = (file: string): string | undefined => {
    const inside = relative(root, file);
    return inside.startsWith("..") || file.endsWith(".d.ts") ? undefined : inside.split(sep).join("/");
  };
  const crossFile: CallSite[] = [];
  const sameFile: CallSite[] = [];
  for (const path of paths) {
    const source = program.getSourceFile(join(root, path));
    if (!source) continue;
    const text = source.text;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const name = ts.isIdentifier(node.expression)
          ? node.expression
          : ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.name)
            ? node.expression.name
            : undefined;
        const definitions = name && definitionsOf(checker, name, relativePath);
        const elsewhere = definitions?.every((definition) => definition.path !== path);
        const here = definitions?.every((definition) => definition.path === path);
        if (name && definitions && (elsewhere || here)) {
          const nameOffset = name.getStart(source);
          const callEndLine = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          const nextLine = source.getLineStarts()[callEndLine + 1];
          (elsewhere ? crossFile : sameFile).push({
            path,
            text,
            nameOffset,
            line: source.getLineAndCharacterOfPosition(nameOffset).line,
            afterCallLine: nextLine === undefined ? text.length : nextLine - 1,
            callee: name.text,
            definitions,
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { crossFile, sameFile };
}

/** The declarations a name resolves to, aliases followed; undefined when any is outside the root. */
function definitionsOf(
  checker: ts.TypeChecker,
  name: ts.Identifier,
  relativePath: (file: string) => string | undefined,
): Definition[] | undefined {
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declarations = symbol?.declarations ?? [];
  if (declarations.length === 0) return undefined;
  const definitions: Definition[] = [];
  for (const declaration of declarations) {
    const file = declaration.getSourceFile();
    const path = relativePath(file.fileName);
    if (path === undefined) return undefined;
    const at = (ts.getNameOfDeclaration(declaration) ?? declaration).getStart(file);
    const line = file.getLineAndCharacterOfPosition(at).line;
    const lineStarts = file.getLineStarts();
    const lineText = file.text.slice(lineStarts[line], (lineStarts[line + 1] ?? file.text.length + 1) - 1);
    definitions.push({ path, line, lineText });
  }
  return definitions;
}

/** A deterministic shuffle (mulberry32), so every run samples the same cases. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
