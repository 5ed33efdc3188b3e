import type { TreeCursor } from "web-tree-sitter";
import type { LanguageId, SyntaxNode } from "../syntax/index.js";
import { lazyLocalClasses } from "./classBases.js";
import {
  Bindings,
  type ImportFact,
  type MemberFact,
  type Receiver,
  type ReferenceFact,
  type SnippetFacts,
} from "./facts.js";
import { walkTree, type Ancestor } from "./walk.js";

const functionTypes = new Set([
  "function_declaration",
  "function_expression",
  "function",
  "generator_function_declaration",
  "generator_function",
]);
const classTypes = new Set(["class_declaration", "class", "abstract_class_declaration"]);
const parameterTypes = new Set(["required_parameter", "optional_parameter"]);
const patternTypes = new Set([
  "object_pattern",
  "array_pattern",
  "rest_pattern",
  "pair_pattern",
  "assignment_pattern",
  "object_assignment_pattern",
]);
/** Parents whose `name` field declares (rather than uses) an identifier or type name. */
const declaringParents = new Set([
  "variable_declarator",
  "function_declaration",
  "function_expression",
  "generator_function_declaration",
  "generator_function",
  "class_declaration",
  "class",
  "abstract_class_declaration",
  "interface_declaration",
  "type_alias_declaration",
  "enum_declaration",
  "internal_module",
  "module",
  "type_parameter",
  "function_signature",
  "import_specifier",
  "namespace_import",
  "index_signature",
]);

/** Literals whose members are those of a lib type whatever the file binds: `"x".trim()`, `[1].at(0)`. */
const literalTypes = new Map([
  ["string", { typeName: "String", text: "string literal" }],
  ["template_string", { typeName: "String", text: "template literal" }],
  ["array", { typeName: "Array", text: "array literal" }],
  ["regex", { typeName: "RegExp", text: "regular expression literal" }],
]);

/** Lib aliases whose members are their argument's (Partial<Order> has Order's members). */
const keyPreservingWrappers = new Set(["Partial", "Required", "Readonly"]);

/** Functions whose bodies are their own scope: outside the snippet only their name matters. */
const scopedFunctionTypes = new Set([...functionTypes, "arrow_function", "method_definition"]);

/**
 * References, member accesses and imports of a TypeScript/JavaScript tree (the snippet within its
 * context). Functions entirely outside `range` (the snippet's offsets) are not entered: their locals
 * are out of the snippet's scope, and skipping them keeps checks cheap in large files.
 */
export function javascriptFacts(
  root: SyntaxNode,
  language: LanguageId,
  range: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER },
): SnippetFacts {
  const bindings = new Bindings();
  const references: ReferenceFact[] = [];
  const rawMembers: {
    objectName: string | undefined;
    className: string | undefined;
    literalType?: string;
    member: string;
    start: number;
    end: number;
    receiverText: string;
  }[] = [];
  const imports: ImportFact[] = [];
  // The class `this` refers to at each depth: a name, or null inside a function that rebinds `this`.
  const thisStack: (string | null)[] = [];
  const thisScopes: number[] = [];

  walkTree(
    root,
    (cursor, ancestors) => {
      const type = cursor.nodeType;
      const parent = ancestors[ancestors.length - 1];
      if (scopedFunctionTypes.has(type) && (cursor.endIndex <= range.from || cursor.startIndex >= range.to)) {
        const name =
          type === "function_declaration" || type === "generator_function_declaration"
            ? cursor.currentNode.childForFieldName("name")
            : null;
        if (name !== null) bindings.bind(name.text);
        return false;
      }
      if (
        classTypes.has(type) ||
        functionTypes.has(type) ||
        (type === "method_definition" && parent?.type === "object")
      ) {
        const node = cursor.currentNode;
        thisStack.push(classTypes.has(type) ? (node.childForFieldName("name")?.text ?? null) : null);
        thisScopes.push(ancestors.length);
      }
      switch (type) {
        case "identifier":
        case "type_identifier":
        case "shorthand_property_identifier":
          classifyIdentifier(cursor, ancestors, bindings, references);
          return false;
        case "shorthand_property_identifier_pattern":
          bindings.bind(cursor.nodeText);
          return false;
        case "variable_declarator":
          bindVariable(cursor.currentNode, bindings);
          return true;
        case "assignment_expression": {
          // `x = other()` after `let x = new X()`: x may no longer be an X.
          const left = cursor.currentNode.childForFieldName("left");
          if (left?.type === "identifier") bindings.bind(left.text);
          return true;
        }
        case "required_parameter":
        case "optional_parameter":
          bindParameter(cursor.currentNode, bindings);
          return true;
        case "import_statement":
          collectImport(cursor.currentNode, bindings, imports);
          return false;
        case "export_statement":
        case "call_expression":
          collectSourceLikeImport(cursor.currentNode, imports);
          return true;
        case "member_expression": {
          const node = cursor.currentNode;
          const object = node.childForFieldName("object");
          const property = node.childForFieldName("property");
          if (object !== null && property !== null && property.type === "property_identifier") {
            const literal = literalTypes.get(object.type);
            if (literal !== undefined) {
              rawMembers.push({
                objectName: undefined,
                className: undefined,
                literalType: literal.typeName,
                member: property.text,
                start: property.startIndex,
                end: property.endIndex,
                receiverText: literal.text,
              });
            } else if (object.type === "identifier") {
              rawMembers.push({
                objectName: object.text,
                className: undefined,
                member: property.text,
                start: property.startIndex,
                end: property.endIndex,
                receiverText: object.text,
              });
            } else if (object.type === "this") {
              const className = thisStack[thisStack.length - 1];
              if (className !== undefined && className !== null) {
                rawMembers.push({
                  objectName: undefined,
                  className,
                  member: property.text,
                  start: property.startIndex,
                  end: property.endIndex,
                  receiverText: "this",
                });
              }
            }
          }
          return true;
        }
        default:
          return true;
      }
    },
    (_cursor, ancestors) => {
      if (thisScopes[thisScopes.length - 1] === ancestors.length) {
        thisScopes.pop();
        thisStack.pop();
      }
    },
  );

  const members: MemberFact[] = [];
  for (const raw of rawMembers) {
    let receiver: Receiver | null | undefined;
    if (raw.literalType !== undefined) receiver = { kind: "instance", typeName: raw.literalType };
    else if (raw.className !== undefined) receiver = { kind: "self", className: raw.className };
    else {
      receiver = bindings.receiverOf(raw.objectName!);
      if (receiver === undefined)
        receiver = bindings.has(raw.objectName!) ? null : { kind: "value", name: raw.objectName! };
      // `req: Request` with `Request` imported from "express" is express's type, not the fetch global.
      else if (receiver?.kind === "instance" && bindings.has(receiver.typeName))
        receiver = { ...receiver, boundInFile: true };
    }
    if (receiver !== null)
      members.push({
        receiver,
        receiverText: raw.receiverText,
        member: raw.member,
        start: raw.start,
        end: raw.end,
      });
  }

  return {
    references: references.filter((reference) => !bindings.has(reference.name)),
    members,
    imports,
    localClasses: lazyLocalClasses(root, language),
    bound: bindings.names,
    judged: references
      .filter((reference) => bindings.has(reference.name))
      .map(({ start, end }) => ({ start, end })),
  };
}

function classifyIdentifier(
  cursor: TreeCursor,
  ancestors: Ancestor[],
  bindings: Bindings,
  references: ReferenceFact[],
): void {
  const name = cursor.nodeText;
  const field = cursor.currentFieldName;
  const parent = ancestors[ancestors.length - 1];
  const type = cursor.nodeType;
  if (parent === undefined) return;
  const declares =
    (declaringParents.has(parent.type) && (field === "name" || field === "alias")) ||
    parent.type === "import_specifier" ||
    parent.type === "import_clause" ||
    parent.type === "namespace_import" ||
    parent.type === "import_require_clause" ||
    (parameterTypes.has(parent.type) && field === "pattern") ||
    parent.type === "formal_parameters" ||
    (parent.type === "arrow_function" && field === "parameter") ||
    (parent.type === "catch_clause" && field === "parameter") ||
    (parent.type === "for_in_statement" && field === "left") ||
    (patternTypes.has(parent.type) &&
      (parent.type !== "pair_pattern" || field === "value") &&
      (!parent.type.includes("assignment") || field === "left")) ||
    (parent.type === "mapped_type_clause" && field === "name") ||
    parent.type === "infer_type";
  if (declares) {
    // bindVariable and bindParameter bind these with what they hold; binding again would blur it.
    const boundWithReceiver =
      (parent.type === "variable_declarator" && field === "name") ||
      (parameterTypes.has(parent.type) && field === "pattern");
    if (!boundWithReceiver) bindings.bind(name);
    return;
  }
  if (parent.type === "export_specifier" && field === "alias") return;
  if (parent.type === "nested_type_identifier" && field === "name") return;
  if (parent.type === "jsx_closing_element") return;
  if (
    (parent.type === "jsx_opening_element" || parent.type === "jsx_self_closing_element") &&
    /^[a-z]/.test(name)
  )
    return;
  if (parent.type === "member_expression" && field === "property") return;
  references.push({
    name,
    start: cursor.startIndex,
    end: cursor.endIndex,
    isType: type === "type_identifier",
  });
}

/**
 * A declared type's name when it is a plain or generic named type (`Map<K, V>` is Map), seen through
 * Partial/Required/Readonly unless the file binds those names itself.
 */
function annotatedTypeName(annotation: SyntaxNode | null, bindings: Bindings): string | undefined {
  return namedType(annotation?.namedChildren[0], bindings);
}

function namedType(type: SyntaxNode | undefined, bindings: Bindings): string | undefined {
  if (type?.type === "type_identifier") return type.text;
  if (type?.type !== "generic_type") return undefined;
  const name = type.childForFieldName("name");
  if (name?.type !== "type_identifier") return undefined;
  const typeArguments = type.childForFieldName("type_arguments")?.namedChildren ?? [];
  if (keyPreservingWrappers.has(name.text) && !bindings.has(name.text))
    return typeArguments.length === 1 ? namedType(typeArguments[0], bindings) : undefined;
  return name.text;
}

function requiredSpecifier(node: SyntaxNode | null): string | undefined {
  if (node?.type !== "call_expression") return undefined;
  const callee = node.childForFieldName("function");
  const argument = node.childForFieldName("arguments")?.namedChildren[0];
  if (callee?.type !== "identifier" || callee.text !== "require" || argument?.type !== "string")
    return undefined;
  return argument.namedChildren[0]?.text ?? "";
}

function bindVariable(declarator: SyntaxNode, bindings: Bindings): void {
  const name = declarator.childForFieldName("name");
  if (name?.type !== "identifier") return;
  const value = declarator.childForFieldName("value");
  const annotated = annotatedTypeName(declarator.childForFieldName("type"), bindings);
  let receiver: Receiver | undefined;
  if (annotated !== undefined) receiver = { kind: "instance", typeName: annotated };
  else if (value?.type === "new_expression") {
    const constructor = value.childForFieldName("constructor");
    if (constructor?.type === "identifier") receiver = { kind: "instance", typeName: constructor.text };
  } else {
    const specifier = requiredSpecifier(value);
    if (specifier !== undefined) receiver = { kind: "module", specifier };
  }
  bindings.bind(name.text, receiver);
}

function bindParameter(parameter: SyntaxNode, bindings: Bindings): void {
  const pattern = parameter.childForFieldName("pattern");
  if (pattern?.type !== "identifier") return;
  const annotated = annotatedTypeName(parameter.childForFieldName("type"), bindings);
  bindings.bind(
    pattern.text,
    annotated === undefined ? undefined : { kind: "instance", typeName: annotated },
  );
}

function stringValue(node: SyntaxNode): { text: string; start: number; end: number } {
  const fragment = node.namedChildren[0];
  return fragment === undefined
    ? { text: "", start: node.startIndex + 1, end: node.startIndex + 1 }
    : { text: fragment.text, start: fragment.startIndex, end: fragment.endIndex };
}

function collectImport(node: SyntaxNode, bindings: Bindings, imports: ImportFact[]): void {
  const source = node.childForFieldName("source");
  const clause = node.namedChildren.find((child) => child.type === "import_clause");
  const requireClause = node.namedChildren.find((child) => child.type === "import_require_clause");
  const specifierNode = source ?? requireClause?.childForFieldName("source") ?? null;
  if (specifierNode === null) return;
  const specifier = stringValue(specifierNode);
  const fact: ImportFact = {
    specifier: specifier.text,
    start: specifier.start,
    end: specifier.end,
    names: [],
  };
  imports.push(fact);
  if (requireClause !== undefined) {
    const local = requireClause.namedChildren.find((child) => child.type === "identifier");
    if (local !== undefined) bindings.bind(local.text, { kind: "module", specifier: specifier.text });
  }
  for (const part of clause?.namedChildren ?? []) {
    if (part.type === "identifier")
      bindings.bind(part.text, { kind: "module", specifier: specifier.text, viaDefaultImport: true });
    else if (part.type === "namespace_import") {
      const local = part.namedChildren.find((child) => child.type === "identifier");
      if (local !== undefined) bindings.bind(local.text, { kind: "module", specifier: specifier.text });
    } else if (part.type === "named_imports") {
      for (const specifierPart of part.namedChildren) {
        if (specifierPart.type !== "import_specifier") continue;
        const imported = specifierPart.childForFieldName("name");
        const alias = specifierPart.childForFieldName("alias");
        if (imported === null) continue;
        bindings.bind((alias ?? imported).text, {
          kind: "importedName",
          specifier: specifier.text,
          name: imported.text,
        });
        if (imported.type === "identifier")
          fact.names.push({ name: imported.text, start: imported.startIndex, end: imported.endIndex });
      }
    }
  }
}

/** `export ... from "m"`, `require("m")` and `import("m")` name modules too. */
function collectSourceLikeImport(node: SyntaxNode, imports: ImportFact[]): void {
  if (node.type === "export_statement") {
    const source = node.childForFieldName("source");
    if (source !== null) {
      const specifier = stringValue(source);
      imports.push({ specifier: specifier.text, start: specifier.start, end: specifier.end, names: [] });
    }
    return;
  }
  const callee = node.childForFieldName("function");
  const argument = node.childForFieldName("arguments")?.namedChildren[0];
  if (argument?.type !== "string" || node.childForFieldName("arguments")?.namedChildren.length !== 1) return;
  if ((callee?.type === "identifier" && callee.text === "require") || callee?.type === "import") {
    const specifier = stringValue(argument);
    imports.push({ specifier: specifier.text, start: specifier.start, end: specifier.end, names: [] });
  }
}
