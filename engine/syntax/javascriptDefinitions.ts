import { definitionAt, type Definition, type DefinitionKind } from "./definition.js";
import type { SyntaxNode } from "./parser.js";

const functionValues = new Set(["arrow_function", "function_expression", "function", "generator_function"]);

/**
 * Definitions of a TypeScript / TSX / JavaScript file: declarations at module level and members of classes,
 * interfaces, enums and namespaces.
 */
export function javascriptDefinitions(root: SyntaxNode): Definition[] {
  const out: Definition[] = [];
  visitStatements(root.namedChildren, undefined, false, out);
  markExportLists(root, out);
  return out;
}

function visitStatements(
  statements: SyntaxNode[],
  container: string | undefined,
  exported: boolean,
  out: Definition[],
): void {
  for (const statement of statements) visitStatement(statement, container, exported, out);
}

function visitStatement(
  node: SyntaxNode,
  container: string | undefined,
  exported: boolean,
  out: Definition[],
): void {
  switch (node.type) {
    case "export_statement": {
      const declaration = node.childForFieldName("declaration");
      if (declaration !== null) visitStatement(declaration, container, true, out);
      else {
        // `export default function () {}` has its declaration as an unnamed child.
        for (const child of node.namedChildren)
          if (child.type !== "export_clause" && child.type !== "string")
            visitStatement(child, container, true, out);
      }
      return;
    }
    case "function_declaration":
    case "generator_function_declaration":
    case "function_signature":
      addNamed(node, "function", container, exported, out);
      return;
    case "class_declaration":
    case "abstract_class_declaration":
    case "class": {
      const name = addNamed(node, "class", container, exported, out);
      const body = node.childForFieldName("body");
      if (name !== undefined && body !== null) visitClassBody(body, name, exported, out);
      return;
    }
    case "interface_declaration": {
      const name = addNamed(node, "interface", container, exported, out);
      const body = node.childForFieldName("body");
      if (name !== undefined && body !== null) visitObjectType(body, name, exported, out);
      return;
    }
    case "type_alias_declaration":
      addNamed(node, "type", container, exported, out);
      return;
    case "enum_declaration": {
      const name = addNamed(node, "enum", container, exported, out);
      const body = node.childForFieldName("body");
      if (name !== undefined && body !== null) {
        for (const member of body.namedChildren) {
          const key = member.type === "enum_assignment" ? member.childForFieldName("name") : member;
          if (key !== null && (key.type === "property_identifier" || key.type === "string")) {
            out.push(definitionAt(member, unquote(key.text), "property", exported, name));
          }
        }
      }
      return;
    }
    case "internal_module":
    case "module": {
      const nameNode = node.childForFieldName("name");
      if (nameNode === null) return;
      const name = unquote(nameNode.text);
      out.push(definitionAt(node, name, "module", exported, container));
      const body = node.childForFieldName("body");
      if (body !== null) visitStatements(body.namedChildren, name, false, out);
      return;
    }
    case "ambient_declaration":
      visitStatements(node.namedChildren, container, exported, out);
      return;
    case "expression_statement": {
      // `namespace X {}` parses as an expression statement holding an internal_module.
      const inner = node.namedChildren[0];
      if (inner?.type === "internal_module") visitStatement(inner, container, exported, out);
      return;
    }
    case "lexical_declaration":
    case "variable_declaration":
      for (const declarator of node.namedChildren) {
        if (declarator.type !== "variable_declarator") continue;
        const nameNode = declarator.childForFieldName("name");
        const value = declarator.childForFieldName("value");
        if (nameNode === null) continue;
        if (nameNode.type === "identifier") {
          const kind: DefinitionKind =
            value !== null && functionValues.has(value.type)
              ? "function"
              : value?.type === "class"
                ? "class"
                : "variable";
          out.push(definitionAt(declarator, nameNode.text, kind, exported, container));
          if (kind === "class" && value !== null) {
            const body = value.childForFieldName("body");
            if (body !== null) visitClassBody(body, nameNode.text, exported, out);
          }
        } else {
          for (const bound of boundIdentifiers(nameNode))
            out.push(definitionAt(declarator, bound, "variable", exported, container));
        }
      }
      return;
    default:
      return;
  }
}

function visitClassBody(body: SyntaxNode, className: string, exported: boolean, out: Definition[]): void {
  for (const member of body.namedChildren) {
    switch (member.type) {
      case "method_definition":
      case "method_signature":
      case "abstract_method_signature": {
        const name = member.childForFieldName("name");
        if (name === null) break;
        if (name.text === "constructor") addParameterProperties(member, className, exported, out);
        else out.push(definitionAt(member, memberName(name), "method", exported, className));
        addThisAssignments(member, className, exported, out);
        break;
      }
      case "public_field_definition":
      case "field_definition":
      case "property_signature": {
        const name = member.childForFieldName("name") ?? member.childForFieldName("property");
        if (name !== null) out.push(definitionAt(member, memberName(name), "property", exported, className));
        break;
      }
      default:
        break;
    }
  }
}

/** `constructor(private readonly x: X)` declares the property x. */
function addParameterProperties(
  constructor: SyntaxNode,
  className: string,
  exported: boolean,
  out: Definition[],
): void {
  const parameters = constructor.childForFieldName("parameters");
  if (parameters === null) return;
  for (const parameter of parameters.namedChildren) {
    const declaresProperty =
      parameter.namedChildren.some(
        (child) => child.type === "accessibility_modifier" || child.type === "override_modifier",
      ) || parameter.children.some((child) => child.type === "readonly");
    const pattern = parameter.childForFieldName("pattern");
    if (declaresProperty && pattern?.type === "identifier")
      out.push(definitionAt(parameter, pattern.text, "property", exported, className));
  }
}

/** `this.x = ...` in a method (typically the constructor of a JavaScript class) declares the property x. */
function addThisAssignments(
  method: SyntaxNode,
  className: string,
  exported: boolean,
  out: Definition[],
): void {
  const body = method.childForFieldName("body");
  if (body === null) return;
  const declared = new Set(out.filter((d) => d.container === className).map((d) => d.name));
  for (const assignment of body.descendantsOfType("assignment_expression")) {
    const left = assignment.childForFieldName("left");
    if (left?.type !== "member_expression" || left.childForFieldName("object")?.type !== "this") continue;
    const property = left.childForFieldName("property");
    if (property === null || declared.has(property.text)) continue;
    declared.add(property.text);
    out.push(definitionAt(assignment, property.text, "property", exported, className));
  }
}

function visitObjectType(body: SyntaxNode, container: string, exported: boolean, out: Definition[]): void {
  for (const member of body.namedChildren) {
    const name = member.childForFieldName("name");
    if (name === null) continue;
    if (member.type === "property_signature")
      out.push(definitionAt(member, memberName(name), "property", exported, container));
    else if (member.type === "method_signature")
      out.push(definitionAt(member, memberName(name), "method", exported, container));
  }
}

/** Marks `export { a, b as c }` names as exported (the local name is what is defined). */
function markExportLists(root: SyntaxNode, out: Definition[]): void {
  const listed = new Set<string>();
  for (const statement of root.namedChildren) {
    if (statement.type !== "export_statement" || statement.childForFieldName("source") !== null) continue;
    for (const clause of statement.namedChildren) {
      if (clause.type !== "export_clause") continue;
      for (const specifier of clause.namedChildren) {
        const name = specifier.childForFieldName("name");
        if (name !== null) listed.add(name.text);
      }
    }
  }
  for (const definition of out)
    if (definition.container === undefined && listed.has(definition.name)) definition.exported = true;
}

function addNamed(
  node: SyntaxNode,
  kind: DefinitionKind,
  container: string | undefined,
  exported: boolean,
  out: Definition[],
): string | undefined {
  const name = node.childForFieldName("name");
  if (name === null) return undefined;
  out.push(definitionAt(node, name.text, kind, exported, container));
  return name.text;
}

function memberName(node: SyntaxNode): string {
  return node.type === "private_property_identifier" ? node.text : unquote(node.text);
}

function unquote(text: string): string {
  return /^(["'`]).*\1$/s.test(text) ? text.slice(1, -1) : text;
}

/** The identifiers a destructuring pattern binds (`{ a, b: c, ...d }` binds a, c and d). */
export function boundIdentifiers(pattern: SyntaxNode): string[] {
  switch (pattern.type) {
    case "identifier":
    case "shorthand_property_identifier_pattern":
      return [pattern.text];
    case "pair_pattern": {
      const value = pattern.childForFieldName("value");
      return value === null ? [] : boundIdentifiers(value);
    }
    case "assignment_pattern":
    case "object_assignment_pattern": {
      const left = pattern.childForFieldName("left");
      return left === null ? [] : boundIdentifiers(left);
    }
    case "object_pattern":
    case "array_pattern":
    case "rest_pattern":
      return pattern.namedChildren.flatMap(boundIdentifiers);
    default:
      return [];
  }
}
