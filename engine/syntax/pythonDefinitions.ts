import { definitionAt, type Definition } from "./definition.js";
import type { SyntaxNode } from "./parser.js";

/**
 * Definitions of a Python file: module-level functions, classes, assignments, and class members (including
 * `self.x =` in methods).
 */
export function pythonDefinitions(root: SyntaxNode): Definition[] {
  const out: Definition[] = [];
  visitBlock(root.namedChildren, undefined, out);
  return out;
}

function isPublic(name: string): boolean {
  return !name.startsWith("_") || (name.startsWith("__") && name.endsWith("__"));
}

function visitBlock(statements: SyntaxNode[], className: string | undefined, out: Definition[]): void {
  for (const statement of statements) visitStatement(statement, statement, className, out);
}

function visitStatement(
  node: SyntaxNode,
  rangeNode: SyntaxNode,
  className: string | undefined,
  out: Definition[],
): void {
  switch (node.type) {
    case "decorated_definition": {
      const definition = node.childForFieldName("definition");
      if (definition !== null) visitStatement(definition, node, className, out);
      return;
    }
    case "function_definition": {
      const name = node.childForFieldName("name");
      if (name === null) return;
      out.push(
        definitionAt(
          rangeNode,
          name.text,
          className === undefined ? "function" : "method",
          isPublic(name.text),
          className,
        ),
      );
      const body = node.childForFieldName("body");
      if (className !== undefined && body !== null) addSelfAssignments(body, className, out);
      return;
    }
    case "class_definition": {
      const name = node.childForFieldName("name");
      if (name === null) return;
      out.push(definitionAt(rangeNode, name.text, "class", isPublic(name.text), className));
      const body = node.childForFieldName("body");
      if (body !== null) visitBlock(body.namedChildren, name.text, out);
      return;
    }
    case "type_alias_statement": {
      const left = node.namedChildren[0];
      const name = left?.type === "type" ? left.namedChildren[0] : left;
      if (name?.type === "identifier")
        out.push(definitionAt(node, name.text, "type", isPublic(name.text), className));
      return;
    }
    case "expression_statement":
      for (const expression of node.namedChildren) {
        if (expression.type !== "assignment") continue;
        const left = expression.childForFieldName("left");
        if (left === null) continue;
        for (const name of assignedNames(left)) {
          out.push(
            definitionAt(
              node,
              name,
              className === undefined ? "variable" : "property",
              isPublic(name),
              className,
            ),
          );
        }
      }
      return;
    case "if_statement":
    case "try_statement": {
      // Module-level `try: import x except: x = None` and `if TYPE_CHECKING:` still define names.
      if (className !== undefined) return;
      for (const block of node.descendantsOfType("block"))
        if (block.parent === node || block.parent?.parent === node)
          visitBlock(block.namedChildren, undefined, out);
      return;
    }
    default:
      return;
  }
}

function addSelfAssignments(body: SyntaxNode, className: string, out: Definition[]): void {
  const seen = new Set(out.filter((d) => d.container === className).map((d) => d.name));
  for (const assignment of body.descendantsOfType("assignment")) {
    const left = assignment.childForFieldName("left");
    if (left?.type !== "attribute") continue;
    const object = left.childForFieldName("object");
    const attribute = left.childForFieldName("attribute");
    if (object?.text !== "self" || attribute === null || seen.has(attribute.text)) continue;
    seen.add(attribute.text);
    out.push(
      definitionAt(
        assignment.parent ?? assignment,
        attribute.text,
        "property",
        isPublic(attribute.text),
        className,
      ),
    );
  }
}

/** Names bound by an assignment target (`a`, `a, b`, `[a, *b]`). */
export function assignedNames(target: SyntaxNode): string[] {
  switch (target.type) {
    case "identifier":
      return [target.text];
    case "pattern_list":
    case "tuple_pattern":
    case "list_pattern":
    case "list_splat_pattern":
      return target.namedChildren.flatMap(assignedNames);
    default:
      return [];
  }
}
