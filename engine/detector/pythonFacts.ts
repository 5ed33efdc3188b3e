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
  "splat_pattern",
  "type_parameter",
]);

interface RawMember {
  object: SyntaxNode;
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
  // Names bound by a guarded import (`try: import ujson as j`), with what that import would bind.
  const guarded = new Map<string, Receiver>();
  const references: ReferenceFact[] = [];
  const imports: ImportFact[] = [];
  const starImports: string[] = [];
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
          collectImport(cursor.currentNode, bindings, imports, starImports, guarded);
          return false;
        case "with_item":
          bindWithItem(cursor.currentNode, bindings);
          return true;
        case "future_import_statement":
          return false;
        case "attribute": {
          // Only accesses in the snippet are checked: the rest of the file needs no receiver typing.
          if (cursor.endIndex <= range.from || cursor.startIndex >= range.to) return true;
          const node = cursor.currentNode;
          const object = node.childForFieldName("object");
          const attribute = node.childForFieldName("attribute");
          // `x.name = ...` and `del x.name` create or remove the attribute: nothing to check.
          if (object !== null && attribute !== null && !isAttributeTarget(cursor, ancestors)) {
            const method = [...scopes].reverse().find((scope) => !scope.isClass);
            rawMembers.push({
              object,
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

  const guardedReceivers = new Map<string, Receiver | null>();
  for (const [name, receiver] of guarded) {
    // The fallback in the handler (`import json as j`) holds when the guarded package is absent.
    const fallback = bindings.receiverOf(name);
    guardedReceivers.set(
      name,
      fallback === null
        ? null
        : { kind: "firstResolving", options: fallback ? [receiver, fallback] : [receiver] },
    );
  }
  const members: MemberFact[] = [];
  for (const raw of rawMembers) {
    const receiver = expressionReceiver(raw.object, bindings, raw.className, guardedReceivers);
    if (receiver !== undefined)
      members.push({
        receiver,
        receiverText: raw.object.text,
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
    starImports,
    judged: references
      .filter((reference) => bindings.has(reference.name))
      .map(({ start, end }) => ({ start, end })),
  };
}

const literalTypes: Record<string, string> = {
  string: "str",
  concatenated_string: "str",
  integer: "int",
  float: "float",
  true: "bool",
  false: "bool",
  list: "list",
  list_comprehension: "list",
  dictionary: "dict",
  dictionary_comprehension: "dict",
  set: "set",
  set_comprehension: "set",
  tuple: "tuple",
};

/**
 * What an expression is, as a receiver: a name through its binding, a module path, or a chain of
 * attribute and call steps from such a root (typed later against stubs). Undefined when not knowable.
 */
function expressionReceiver(
  node: SyntaxNode,
  bindings: Bindings,
  className: string | undefined,
  guarded?: ReadonlyMap<string, Receiver | null>,
): Receiver | undefined {
  switch (node.type) {
    case "identifier": {
      const name = node.text;
      if ((name === "self" || name === "cls") && className !== undefined) return { kind: "self", className };
      const bound = guarded?.has(name) === true ? guarded.get(name) : bindings.receiverOf(name);
      if (bound === null) return undefined;
      if (bound === undefined) return bindings.has(name) ? undefined : { kind: "value", name };
      return bound;
    }
    case "attribute": {
      const object = node.childForFieldName("object");
      const attribute = node.childForFieldName("attribute")?.text;
      const base = object === null ? undefined : expressionReceiver(object, bindings, className, guarded);
      if (base === undefined || attribute === undefined) return undefined;
      // `os.path.join`: attributes of a module reached through a module are modules we may know.
      if (base.kind === "module") return { kind: "module", specifier: `${base.specifier}.${attribute}` };
      return withStep(base, `.${attribute}`);
    }
    case "call": {
      const callee = node.childForFieldName("function");
      const base = callee === null ? undefined : expressionReceiver(callee, bindings, className, guarded);
      if (base === undefined) return undefined;
      // `Cls()` of a name the text does not import: an instance of a local, workspace or built-in class.
      if (base.kind === "value") return { kind: "instance", typeName: base.name };
      return withStep(base, "()");
    }
    case "parenthesized_expression": {
      const inner = node.namedChildren[0];
      return inner === undefined ? undefined : expressionReceiver(inner, bindings, className, guarded);
    }
    default: {
      const literal = literalTypes[node.type];
      // A bytes literal is a string node too.
      const type = literal === "str" && /^[rR]?[bB]/.test(node.text) ? "bytes" : literal;
      return type === undefined ? undefined : { kind: "instance", typeName: `builtins:${type}` };
    }
  }
}

function isAttributeTarget(cursor: TreeCursor, ancestors: Ancestor[]): boolean {
  const parent = ancestors[ancestors.length - 1]?.type;
  const field = cursor.currentFieldName;
  if ((parent === "assignment" || parent === "augmented_assignment") && field === "left") return true;
  if (parent === "delete_statement") return true;
  // `a.x, b.y = ...` and `del a.x, b.y`.
  const grandparent = ancestors[ancestors.length - 2];
  return (
    (parent === "pattern_list" || parent === "tuple_pattern" || parent === "expression_list") &&
    (grandparent?.type === "delete_statement" ||
      (grandparent?.type === "assignment" && grandparent.field === "left"))
  );
}

function withStep(base: Receiver, step: string): Receiver {
  return base.kind === "chain"
    ? { kind: "chain", root: base.root, steps: [...base.steps, step] }
    : { kind: "chain", root: base, steps: [step] };
}

/** `with open(p) as f`: f holds what the context manager's `__enter__` returns. */
function bindWithItem(item: SyntaxNode, bindings: Bindings): void {
  const pattern = item.namedChildren[0];
  if (pattern?.type !== "as_pattern") return;
  const value = pattern.namedChildren[0];
  const target = pattern.childForFieldName("alias")?.namedChildren[0];
  if (value === undefined || target?.type !== "identifier") return;
  const manager = expressionReceiver(value, bindings, undefined);
  bindings.bind(
    target.text,
    manager === undefined ? undefined : withStep(withStep(manager, ".__enter__"), "()"),
  );
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
  // `case Point(x=0)`: the keyword names an attribute of the subject.
  if (parent.type === "keyword_pattern") return;
  if (parent.type === "dotted_name") {
    classifyPatternName(cursor, ancestors, bindings, references);
    return;
  }
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
    // `case str() as s`: the pattern's alias is a bare identifier child.
    (parent.type === "as_pattern" && ancestors[ancestors.length - 2]?.type === "case_pattern") ||
    targetParents.has(parent.type);
  // bindAssignment and bindParameters bind these with what they hold; binding again would blur it.
  const boundWithReceiver =
    (parent.type === "assignment" && field === "left") ||
    (parent.type === "as_pattern_target" && ancestors[ancestors.length - 3]?.type === "with_item") ||
    parent.type === "typed_parameter" ||
    (parent.type === "typed_default_parameter" && field === "name");
  if (binds) {
    if (!boundWithReceiver) bindings.bind(name);
  } else references.push({ name, start: cursor.startIndex, end: cursor.endIndex, isType: false });
}

/**
 * A name in a match pattern's dotted name: alone in a capture position (`case {"sku": sku}`,
 * `case Point(y=y)`) it binds; otherwise (`case Color.RED`, `case Point()`) its head is a reference.
 */
function classifyPatternName(
  cursor: TreeCursor,
  ancestors: Ancestor[],
  bindings: Bindings,
  references: ReferenceFact[],
): void {
  const dotted = cursor.currentNode.parent;
  if (dotted === null || dotted.firstNamedChild?.id !== cursor.currentNode.id) return;
  const holder = ancestors[ancestors.length - 2]?.type;
  if (dotted.namedChildCount === 1 && (holder === "case_pattern" || holder === "keyword_pattern")) {
    bindings.bind(cursor.nodeText);
    return;
  }
  references.push({ name: cursor.nodeText, start: cursor.startIndex, end: cursor.endIndex, isType: false });
}

function annotationTypeName(type: SyntaxNode | null): string | undefined {
  const inner = type?.namedChildren[0];
  if (inner?.type === "identifier") return inner.text;
  if (inner?.type === "generic_type")
    return inner.namedChildren[0]?.type === "identifier" ? inner.namedChildren[0].text : undefined;
  return undefined;
}

/** The receiver an annotation gives: an instance of the named class, through the name's import if any. */
function annotationReceiver(type: SyntaxNode | null, bindings: Bindings): Receiver | undefined {
  const typeName = annotationTypeName(type);
  if (typeName === undefined) return undefined;
  const bound = bindings.receiverOf(typeName);
  if (bound?.kind === "importedName" || bound?.kind === "module") return withStep(bound, "()");
  return { kind: "instance", typeName };
}

function bindParameters(definition: SyntaxNode, bindings: Bindings): void {
  const parameters = definition.childForFieldName("parameters");
  for (const parameter of parameters?.namedChildren ?? []) {
    if (parameter.type !== "typed_parameter" && parameter.type !== "typed_default_parameter") continue;
    const name =
      parameter.type === "typed_parameter"
        ? parameter.namedChildren.find((child) => child.type === "identifier")
        : parameter.childForFieldName("name");
    if (name !== undefined && name !== null)
      bindings.bind(name.text, annotationReceiver(parameter.childForFieldName("type"), bindings));
  }
}

function bindAssignment(assignment: SyntaxNode, bindings: Bindings): void {
  const left = assignment.childForFieldName("left");
  if (left?.type !== "identifier") return;
  const annotation = assignment.childForFieldName("type");
  const right = assignment.childForFieldName("right");
  let receiver: Receiver | undefined;
  if (annotation !== null) receiver = annotationReceiver(annotation, bindings);
  // A plain name (`x = y`) is left alone: y may be rebound anywhere.
  else if (right !== null && right.type !== "identifier")
    receiver = expressionReceiver(right, bindings, undefined);
  bindings.bind(left.text, receiver);
}

/**
 * Whether an import sits in a `try:` body whose handler catches a failed import (ImportError,
 * ModuleNotFoundError, Exception, or a bare except): a missing package there is expected.
 */
function isGuardedImport(node: SyntaxNode): boolean {
  for (let child = node, parent = node.parent; parent !== null; child = parent, parent = parent.parent) {
    if (parent.type !== "try_statement" || parent.childForFieldName("body")?.id !== child.id) continue;
    for (const handler of parent.namedChildren) {
      if (handler.type !== "except_clause") continue;
      const caught = handler.namedChildren.find((part) => part.type !== "block" && part.type !== "comment");
      if (
        caught === undefined ||
        /\b(ImportError|ModuleNotFoundError|Exception|BaseException)\b/.test(caught.text)
      )
        return true;
    }
  }
  return false;
}

function collectImport(
  node: SyntaxNode,
  bindings: Bindings,
  imports: ImportFact[],
  starImports: string[],
  guarded: Map<string, Receiver>,
): void {
  // A guarded import binds its names but is not judged: the package may well be absent. What it binds
  // is kept aside, to be weighed against the handler's fallback once the walk is done.
  const isGuarded = isGuardedImport(node);
  const checked = isGuarded ? [] : imports;
  const bind = (name: string, receiver: Receiver): void => {
    if (!isGuarded) bindings.bind(name, receiver);
    else {
      bindings.names.add(name);
      if (!guarded.has(name)) guarded.set(name, receiver);
    }
  };
  if (node.type === "import_statement") {
    for (const item of node.namedChildren) {
      const dotted = item.type === "aliased_import" ? item.childForFieldName("name") : item;
      const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
      if (dotted === null || dotted.type !== "dotted_name") continue;
      checked.push({ specifier: dotted.text, start: dotted.startIndex, end: dotted.endIndex, names: [] });
      if (alias !== null) bind(alias.text, { kind: "module", specifier: dotted.text });
      else {
        // `import a.b` binds a, the top-level package.
        const head = dotted.text.split(".")[0]!;
        bind(head, { kind: "module", specifier: head });
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
  checked.push(fact);
  for (const item of node.namedChildren) {
    if (item.startIndex === moduleName.startIndex) continue;
    if (item.type === "wildcard_import") starImports.push(moduleName.text);
    const dotted =
      item.type === "aliased_import"
        ? item.childForFieldName("name")
        : item.type === "dotted_name"
          ? item
          : null;
    const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
    if (dotted === null) continue;
    bind((alias ?? dotted).text, {
      kind: "importedName",
      specifier: moduleName.text,
      name: dotted.text,
    });
    fact.names.push({ name: dotted.text, start: dotted.startIndex, end: dotted.endIndex });
  }
}
