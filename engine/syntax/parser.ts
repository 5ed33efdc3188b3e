import { Language, Parser, type Node, type Tree } from "web-tree-sitter";
import type { LanguageId } from "./languages.js";
import { syntaxWasmPath } from "./wasmFiles.js";

export type SyntaxNode = Node;

/** A parsed source. Its memory lives in the wasm heap: call dispose() when done. */
export interface SyntaxTree {
  readonly language: LanguageId;
  readonly source: string;
  readonly rootNode: SyntaxNode;
  dispose(): void;
}

let runtimeReady: Promise<void> | undefined;
const parsers = new Map<LanguageId, Promise<Parser>>();

function initRuntime(): Promise<void> {
  runtimeReady ??= Parser.init({ locateFile: () => syntaxWasmPath("runtime") });
  return runtimeReady;
}

async function createParser(language: LanguageId): Promise<Parser> {
  await initRuntime();
  const grammar = await Language.load(syntaxWasmPath(language));
  const parser = new Parser();
  parser.setLanguage(grammar);
  return parser;
}

/** The parser of a language, created once per process. */
export function parserFor(language: LanguageId): Promise<Parser> {
  let parser = parsers.get(language);
  if (parser === undefined) {
    parser = createParser(language);
    // A failed load must not poison the cache for later calls.
    parser.catch(() => parsers.delete(language));
    parsers.set(language, parser);
  }
  return parser;
}

/** Parses source (parse is synchronous once the parser exists, so calls cannot interleave). */
export async function parse(source: string, language: LanguageId): Promise<SyntaxTree> {
  const parser = await parserFor(language);
  const tree: Tree | null = parser.parse(source);
  if (tree === null) throw new Error(`tree-sitter could not parse the ${language} source`);
  return { language, source, rootNode: tree.rootNode, dispose: () => tree.delete() };
}

/** Parses, runs fn on the tree, and frees the tree whatever fn does. */
export async function withSyntaxTree<T>(
  source: string,
  language: LanguageId,
  fn: (tree: SyntaxTree) => T,
): Promise<T> {
  const tree = await parse(source, language);
  try {
    return fn(tree);
  } finally {
    tree.dispose();
  }
}
