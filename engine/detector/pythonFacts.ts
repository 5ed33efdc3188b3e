import type { TreeCursor } from "web-tree-sitter";
import type { SyntaxNode } from "../syntax/index.js";
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

/** Parents in which a plain identifier child is a target (bound), whatever its field. */
const targetParents = new Set([
  "pattern_list",
  "tuple_pattern",
  "list_pattern",
  "list_splat_pattern",
  "dictionary_splat_pattern",
  "parameters",
  "lambda_parameters",
  "as_pattern_target",
  "global_statement",
  "nonlocal_statement",
  "case_pattern",
  "keyword_pattern",
  "splat_pattern",
  "type_parameter",
]);

interface RawMember {
  objectPath: string[];
  member: string;
  start: number;
  end: number;
  className: string | undefined;
}

/**
 * References, attribute accesses and imports of a Python tree (the snippet within its context).
 * Functions entirely outside `range` are not entered: their locals are out of the snippet's scope.
 */
export function pythonFacts(
  root: SyntaxNode,
  range: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER },
): SnippetFacts {
  const bindings = new Bindings();
  const references: ReferenceFact[] = [];
  const imports: ImportFact[] = [];
  const rawMembers: RawMember[] = [];
  // For each open def/class: the class `self` belongs to (set on a def directly inside a class body).
  const scopes: {
    depth: number;
    className: string | undefined;
    isClass: boolean;
    name: string | undefined;
  }[] = [];

  walkTree(
    root,
    (cursor, ancestors) => {
      const type = cursor.nodeType;
      if (
        (type === "function_definition" || type === "lambda") &&
        (cursor.endIndex <= range.from || cursor.startIndex >= range.to)
      ) {
        const name = type === "function_definition" ? cursor.currentNode.childForFieldName("name") : null;
        if (name !== null) bindings.bind(name.text);
        return false;
      }
      switch (type) {
        case "class_definition": {
          const name = cursor.currentNode.childForFieldName("name")?.text;
          scopes.push({ depth: ancestors.length, className: undefined, isClass: true, name });
          return true;
        }
        case "function_definition": {
          const enclosing = scopes[scopes.length - 1];
          // A def in a class body: ancestors end with class_definition > block.
          const inClassBody = enclosing?.isClass === true && ancestors.length === enclosing.depth + 2;
          scopes.push({
            depth: ancestors.length,
            className: inClassBody ? enclosing.name : undefined,
            isClass: false,
            name: undefined,
          });
          bindParameters(cursor.currentNode, bindings);
          return true;
        }
        case "identifier":
          classifyIdentifier(cursor, ancestors, bindings, references);
          return false;
        case "assignment":
          bindAssignment(cursor.currentNode, bindings);
          return true;
        case "import_statement":
        case "import_from_statement":
          collectImport(cursor.currentNode, bindings, imports);
          return false;
        case "future_import_statement":
          return false;
        case "attribute": {
          const node = cursor.currentNode;
          const path = identifierPath(node.childForFieldName("object"));
          const attribute = node.childForFieldName("attribute");
          if (path !== undefined && attribute !== null) {
            const method = [...scopes].reverse().find((scope) => !scope.isClass);
            rawMembers.push({
              objectPath: path,
              member: attribute.text,
              start: attribute.startIndex,
              end: attribute.endIndex,
              className: method?.className,
            });
          }
          return true;
        }
        default:
          return true;
      }
    },
    (cursor, ancestors) => {
      const scope = scopes[scopes.length - 1];
      if (
        scope !== undefined &&
        scope.depth === ancestors.length &&
        (cursor.nodeType === "class_definition" || cursor.nodeType === "function_definition")
      )
        scopes.pop();
    },
  );

  const members: MemberFact[] = [];
  for (const raw of rawMembers) {
    const receiver = resolveReceiver(raw, bindings);
    if (receiver !== undefined)
      members.push({
        receiver,
        receiverText: raw.objectPath.join("."),
        member: raw.member,
        start: raw.start,
        end: raw.end,
      });
  }
  return {
    references: references.filter((reference) => !bindings.has(reference.name)),
    members,
    imports,
    localClasses: lazyLocalClasses(root, "python"),
    bound: bindings.names,
    judged: references
      .filter((reference) => bindings.has(reference.name))
      .map(({ start, end }) => ({ start, end })),
  };
}

function resolveReceiver(raw: RawMember, bindings: Bindings): Receiver | undefined {
  const [head, ...rest] = raw.objectPath;
  if (head === undefined) return undefined;
  if ((head === "self" || head === "cls") && rest.length === 0 && raw.className !== undefined)
    return { kind: "self", className: raw.className };
  const bound = bindings.receiverOf(head);
  if (bound === null) return undefined;
  if (bound === undefined) {
    if (bindings.has(head)) return undefined;
    return rest.length === 0 ? { kind: "value", name: head } : undefined;
  }
  if (rest.length === 0) return bound;
  // `os.path.join`: attributes of a module reached through a module are modules we may know.
  if (bound.kind === "module") return { kind: "module", specifier: [bound.specifier, ...rest].join(".") };
  if (bound.kind === "importedName")
    return { kind: "module", specifier: [joinModule(bound.specifier, bound.name), ...rest].join(".") };
  return undefined;
}

/** `from . import x` names module `.x`; `from a import b` names `a.b`. */
function joinModule(specifier: string, name: string): string {
  return specifier.endsWith(".") ? specifier + name : `${specifier}.${name}`;
}

/** `a.b.c` as ["a", "b", "c"] when made only of names; undefined for calls, subscripts... */
function identifierPath(node: SyntaxNode | null): string[] | undefined {
  if (node === null) return undefined;
  if (node.type === "identifier") return [node.text];
  if (node.type !== "attribute") return undefined;
  const object = identifierPath(node.childForFieldName("object"));
  const attribute = node.childForFieldName("attribute");
  return object === undefined || attribute === null ? undefined : [...object, attribute.text];
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
  if (parent === undefined) return;
  if (parent.type === "attribute" && field === "attribute") return;
  if (parent.type === "keyword_argument" && field === "name") return;
  const binds =
    ((parent.type === "function_definition" || parent.type === "class_definition") && field === "name") ||
    (parent.type === "assignment" && field === "left") ||
    (parent.type === "augmented_assignment" && field === "left") ||
    ((parent.type === "for_statement" || parent.type === "for_in_clause") && field === "left") ||
    ((parent.type === "default_parameter" || parent.type === "typed_default_parameter") &&
      field === "name") ||
    (parent.type === "typed_parameter" && field !== "type") ||
    (parent.type === "named_expression" && field === "name") ||
    (parent.type === "as_pattern" && field === "alias") ||
    targetParents.has(parent.type);
  // bindAssignment and bindParameters bind these with what they hold; binding again would blur it.
  const boundWithReceiver =
    (parent.type === "assignment" && field === "left") ||
    parent.type === "typed_parameter" ||
    (parent.type === "typed_default_parameter" && field === "name");
  if (binds) {
    if (!boundWithReceiver) bindings.bind(name);
  } else references.push({ name, start: cursor.startIndex, end: cursor.endIndex, isType: false });
}

function annotationTypeName(type: SyntaxNode | null): string | undefined {
  const inner = type?.namedChildren[0];
  if (inner?.type === "identifier") return inner.text;
  if (inner?.type === "generic_type")
    return inner.namedChildren[0]?.type === "identifier" ? inner.namedChildren[0].text : undefined;
  return undefined;
}

function bindParameters(definition: SyntaxNode, bindings: Bindings): void {
  const parameters = definition.childForFieldName("parameters");
  for (const parameter of parameters?.namedChildren ?? []) {
    if (parameter.type !== "typed_parameter" && parameter.type !== "typed_default_parameter") continue;
    const name =
      parameter.type === "typed_parameter"
        ? parameter.namedChildren.find((child) => child.type === "identifier")
        : parameter.childForFieldName("name");
    const typeName = annotationTypeName(parameter.childForFieldName("type"));
    if (name !== undefined && name !== null)
      bindings.bind(name.text, typeName === undefined ? undefined : { kind: "instance", typeName });
  }
}

function bindAssignment(assignment: SyntaxNode, bindings: Bindings): void {
  const left = assignment.childForFieldName("left");
  if (left?.type !== "identifier") return;
  const annotated = annotationTypeName(assignment.childForFieldName("type"));
  const right = assignment.childForFieldName("right");
  let receiver: Receiver | undefined;
  if (annotated !== undefined) receiver = { kind: "instance", typeName: annotated };
  else if (right?.type === "call") {
    const callee = right.childForFieldName("function");
    if (callee?.type === "identifier") receiver = { kind: "instance", typeName: callee.text };
  }
  bindings.bind(left.text, receiver);
}

function collectImport(node: SyntaxNode, bindings: Bindings, imports: ImportFact[]): void {
  if (node.type === "import_statement") {
    for (const item of node.namedChildren) {
      const dotted = item.type === "aliased_import" ? item.childForFieldName("name") : item;
      const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
      if (dotted === null || dotted.type !== "dotted_name") continue;
      imports.push({ specifier: dotted.text, start: dotted.startIndex, end: dotted.endIndex, names: [] });
      if (alias !== null) bindings.bind(alias.text, { kind: "module", specifier: dotted.text });
      else {
        // `import a.b` binds a, the top-level package.
        const head = dotted.text.split(".")[0]!;
        bindings.bind(head, { kind: "module", specifier: head });
      }
    }
    return;
  }
  const moduleName = node.childForFieldName("module_name");
  if (moduleName === null) return;
  const fact: ImportFact = {
    specifier: moduleName.text,
    start: moduleName.startIndex,
    end: moduleName.endIndex,
    names: [],
  };
  imports.push(fact);
  for (const item of node.namedChildren) {
    if (item.startIndex === moduleName.startIndex) continue;
    const dotted =
      item.type === "aliased_import"
        ? item.childForFieldName("name")
        : item.type === "dotted_name"
          ? item
          : null;
    const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
    if (dotted === null) continue;
    bindings.bind((alias ?? dotted).text, {
      kind: "importedName",
      specifier: moduleName.text,
      name: dotted.text,
    });
    fact.names.push({ name: dotted.text, start: dotted.startIndex, end: dotted.endIndex });
  }
}
