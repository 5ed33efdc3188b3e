import { definitionAt, type Definition, type DefinitionKind } from "./definition.js";
import type { LanguageId } from "./languages.js";
import type { SyntaxNode } from "./parser.js";

/** Node types that define something, per language, for the languages without a dedicated extractor. */
const definitionTypes: Partial<Record<LanguageId, Record<string, DefinitionKind>>> = {
  go: {
    function_declaration: "function",
    method_declaration: "method",
    type_spec: "type",
    const_spec: "variable",
    var_spec: "variable",
  },
  rust: {
    function_item: "function",
    function_signature_item: "function",
    struct_item: "class",
    enum_item: "enum",
    trait_item: "interface",
    type_item: "type",
    mod_item: "module",
    const_item: "variable",
    static_item: "variable",
    field_declaration: "property",
  },
  java: {
    class_declaration: "class",
    interface_declaration: "interface",
    enum_declaration: "enum",
    record_declaration: "class",
    method_declaration: "method",
    constructor_declaration: "method",
    field_declaration: "property",
  },
  "c-sharp": {
    class_declaration: "class",
    interface_declaration: "interface",
    enum_declaration: "enum",
    struct_declaration: "class",
    record_declaration: "class",
    method_declaration: "method",
    property_declaration: "property",
    field_declaration: "property",
    namespace_declaration: "module",
  },
  cpp: {
    function_definition: "function",
    class_specifier: "class",
    struct_specifier: "class",
    enum_specifier: "enum",
    namespace_definition: "module",
    field_declaration: "property",
  },
  ruby: { method: "method", singleton_method: "method", class: "class", module: "module" },
  php: {
    function_definition: "function",
    class_declaration: "class",
    interface_declaration: "interface",
    trait_declaration: "interface",
    enum_declaration: "enum",
    method_declaration: "method",
    property_declaration: "property",
    namespace_definition: "module",
  },
  bash: { function_definition: "function" },
};

const containerKinds = new Set<DefinitionKind>(["class", "interface", "enum", "module"]);

/** Best-effort definitions for the other grammars: named declarations and their containers. */
export function genericDefinitions(root: SyntaxNode, language: LanguageId): Definition[] {
  const types = definitionTypes[language];
  if (types === undefined) return [];
  const out: Definition[] = [];
  const visit = (node: SyntaxNode, container: string | undefined): void => {
    const kind = types[node.type];
    let inner = container;
    if (kind !== undefined) {
      const name = nameOf(node);
      if (name !== undefined) {
        const definedKind = kind === "function" && container !== undefined ? "method" : kind;
        out.push(definitionAt(node, name, definedKind, isExported(node, name, language), container));
        if (containerKinds.has(kind)) inner = name;
      }
      // Function bodies hold locals, not definitions of the file.
      if (kind === "function" || kind === "method") return;
    }
    if (node.type === "impl_item") inner = node.childForFieldName("type")?.text ?? inner;
    for (const child of node.namedChildren) visit(child, inner);
  };
  visit(root, undefined);
  return out;
}

function nameOf(node: SyntaxNode): string | undefined {
  const name = node.childForFieldName("name");
  if (name !== null) return name.text;
  // C/C++ hide the name in nested declarators: `int *(*f)(int)`; Java/C# fields in variable declarators.
  let declarator =
    node.childForFieldName("declarator") ??
    node.namedChildren.find(
      (child) => child.type === "variable_declarator" || child.type === "variable_declaration",
    ) ??
    null;
  for (let depth = 0; declarator !== null && depth < 8; depth++) {
    if (
      /identifier$/.test(declarator.type) ||
      declarator.type === "operator_name" ||
      declarator.type === "destructor_name"
    )
      return declarator.text;
    declarator =
      declarator.childForFieldName("declarator") ??
      declarator.childForFieldName("name") ??
      declarator.namedChildren.find((child) => /identifier$|declarator$/.test(child.type)) ??
      null;
  }
  return undefined;
}

function isExported(node: SyntaxNode, name: string, language: LanguageId): boolean {
  switch (language) {
    case "go":
      return /^[A-Z]/.test(name);
    case "rust":
      return node.namedChildren.some((child) => child.type === "visibility_modifier");
    case "java":
    case "c-sharp":
    case "php":
      return !/\b(private|protected|internal)\b/.test(
        node.namedChildren.find(
          (child) =>
            child.type === "modifiers" || child.type === "modifier" || child.type === "visibility_modifier",
        )?.text ?? "",
      );
    default:
      return true;
  }
}
