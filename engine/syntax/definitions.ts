import type { Definition } from "./definition.js";
import { genericDefinitions } from "./genericDefinitions.js";
import { javascriptDefinitions } from "./javascriptDefinitions.js";
import { isJavaScriptFamily, type LanguageId } from "./languages.js";
import { withSyntaxTree, type SyntaxNode } from "./parser.js";
import { pythonDefinitions } from "./pythonDefinitions.js";

/** The definitions of an already parsed tree. */
export function definitionsOfTree(root: SyntaxNode, language: LanguageId): Definition[] {
  if (isJavaScriptFamily(language)) return javascriptDefinitions(root);
  if (language === "python") return pythonDefinitions(root);
  return genericDefinitions(root, language);
}

/**
 * Parses source and returns its definitions (module-level names and members of classes, interfaces, enums,
 * modules).
 */
export async function extractDefinitions(source: string, language: LanguageId): Promise<Definition[]> {
  return withSyntaxTree(source, language, (tree) => definitionsOfTree(tree.rootNode, language));
}
