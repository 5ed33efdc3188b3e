import { definitionsOfTree, isJavaScriptFamily, type LanguageId, type SyntaxNode } from "../syntax/index.js";
import type { LocalClass } from "./facts.js";

/** The base names of each class (and TS interface) a tree defines: `extends X`, Python `class C(X)`. */
export function classBases(root: SyntaxNode, language: LanguageId): Map<string, string[]> {
  const bases = new Map<string, string[]>();
  if (language === "python") {
    for (const node of root.descendantsOfType("class_definition")) {
      const name = node.childForFieldName("name")?.text;
      if (name === undefined) continue;
      const list =
        node
          .childForFieldName("superclasses")
          ?.namedChildren.filter((base) => base.type !== "keyword_argument")
          .map((base) => base.text) ?? [];
      bases.set(name, [...(bases.get(name) ?? []), ...list]);
    }
    return bases;
  }
  if (!isJavaScriptFamily(language)) return bases;
  for (const node of root.descendantsOfType([
    "class_declaration",
    "abstract_class_declaration",
    "class",
    "interface_declaration",
  ])) {
    const name = node.childForFieldName("name")?.text;
    if (name === undefined) continue;
    const list: string[] = [];
    for (const heritage of node.namedChildren) {
      if (heritage.type === "class_heritage") {
        for (const clause of heritage.namedChildren) {
          const value = clause.type === "extends_clause" ? clause.childForFieldName("value") : null;
          if (value !== null) list.push(value.text);
        }
      } else if (heritage.type === "extends_type_clause") {
        for (const base of heritage.namedChildren) list.push(base.text.replace(/<.*$/s, ""));
      }
    }
    bases.set(name, [...(bases.get(name) ?? []), ...list]);
  }
  return bases;
}

/** Classes and interfaces a tree defines, with their own members and base names. */
export function localClasses(root: SyntaxNode, language: LanguageId): Map<string, LocalClass> {
  const classes = new Map<string, LocalClass>();
  const definitions = definitionsOfTree(root, language);
  for (const definition of definitions) {
    if (definition.kind === "class" || definition.kind === "interface")
      classes.set(definition.name, { members: new Set(), bases: [] });
  }
  for (const definition of definitions)
    if (definition.container !== undefined) classes.get(definition.container)?.members.add(definition.name);
  for (const [name, bases] of classBases(root, language)) classes.get(name)?.bases.push(...bases);
  return classes;
}

/**
 * localClasses() computed on first use (many checks never need it). The tree must still be alive
 * then: detect() reads it before disposing the tree.
 */
export function lazyLocalClasses(root: SyntaxNode, language: LanguageId): () => Map<string, LocalClass> {
  let classes: Map<string, LocalClass> | undefined;
  return () => (classes ??= localClasses(root, language));
}
