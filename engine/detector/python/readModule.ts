import type { SyntaxNode } from "../../syntax/index.js";
import { encodeRefs, type PyClass, type PyModule } from "./moduleModel.js";
import { TypeExpressions, type NameBinding } from "./typeExpressions.js";
import { evaluateCondition, type PythonVersion } from "./versionConditions.js";

export type { PythonVersion } from "./versionConditions.js";

export interface ReadModuleOptions {
  /** The module's dotted name (`os.path`), for relative imports and its own refs. */
  name: string;
  /** Whether the file is a package's `__init__`. */
  isPackage: boolean;
  /** A stub (.pyi): only `import x as x` re-exports are symbols, and `self.x = ...` is not looked for. */
  stub: boolean;
  version: PythonVersion;
}

const specialForms = new Set(["typing:Any", "typing_extensions:Any"]);
/** Bases that add no members beyond object's. */
const memberlessBases = new Set(["typing:Generic", "typing:Protocol", "builtins:object", "typing:Any"]);
const propertyDecorators = new Set(["property", "cached_property", "functools.cached_property"]);

/** Reads a parsed stub or source into a module model. */
export function readPythonModule(root: SyntaxNode, options: ReadModuleOptions): PyModule {
  return new ModuleReader(options).read(root);
}

class ModuleReader {
  private readonly bindings = new Map<string, NameBinding>();
  /** Whether the module star-imports: an unbound name that is not a built-in then comes from there. */
  private hasStarImports = false;
  private readonly module: PyModule = { s: {} };
  /** Return/attribute refs collected per symbol or member before encoding; null once one is unknown. */
  private readonly functions = new Map<string, string[] | null>();

  private readonly types: TypeExpressions;

  constructor(private readonly options: ReadModuleOptions) {
    this.types = new TypeExpressions({
      moduleName: options.name,
      binding: (name) => this.bindings.get(name),
      hasStarImports: () => this.hasStarImports,
    });
  }

  read(root: SyntaxNode): PyModule {
    const statements = this.liveStatements(root.namedChildren);
    // Names first: annotations may name what is defined further down.
    for (const statement of statements) this.bindNames(statement);
    for (const statement of statements) this.readTopLevel(statement);
    for (const [name, refs] of this.functions) this.module.s[name] = encodeRefs("f", refs ?? []);
    return this.module;
  }

  /** Statements of a block with `if sys.version_info` branches resolved and try/except flattened. */
  private liveStatements(nodes: readonly SyntaxNode[]): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const node of nodes) {
      if (node.type === "if_statement") {
        for (const body of this.liveBranches(node)) out.push(...this.liveStatements(body.namedChildren));
      } else if (node.type === "try_statement") {
        // Guarded imports: whichever branch runs, its names may exist.
        for (const part of node.namedChildren) {
          const block = part.type === "block" ? part : part.namedChildren.find((c) => c.type === "block");
          if (block !== undefined) out.push(...this.liveStatements(block.namedChildren));
        }
      } else out.push(node);
    }
    return out;
  }

  private liveBranches(node: SyntaxNode): SyntaxNode[] {
    const bodies: SyntaxNode[] = [];
    let clause: SyntaxNode | null = node;
    while (clause !== null) {
      if (clause.type === "else_clause") {
        const body = clause.childForFieldName("body");
        if (body !== null) bodies.push(body);
        break;
      }
      const verdict = evaluateCondition(clause.childForFieldName("condition"), this.options.version);
      const body = clause.childForFieldName("consequence");
      if (verdict !== false && body !== null) bodies.push(body);
      if (verdict === true) break;
      clause = nextClause(node, clause);
    }
    return bodies;
  }

  private bindNames(statement: SyntaxNode): void {
    const definition = unwrapDecorated(statement);
    if (definition.type === "class_definition" || definition.type === "function_definition") {
      const name = definition.childForFieldName("name")?.text;
      if (name !== undefined) this.bindings.set(name, { kind: "ref", ref: `${this.options.name}:${name}` });
      return;
    }
    if (statement.type === "import_statement") {
      for (const item of statement.namedChildren) {
        const dotted = item.type === "aliased_import" ? item.childForFieldName("name") : item;
        const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
        if (dotted?.type !== "dotted_name") continue;
        if (alias !== null) this.bindings.set(alias.text, { kind: "module", module: dotted.text });
        else {
          const head = dotted.text.split(".")[0]!;
          this.bindings.set(head, { kind: "module", module: head });
        }
      }
      return;
    }
    if (statement.type === "import_from_statement") {
      const source = this.absoluteModule(statement.childForFieldName("module_name")?.text ?? "");
      if (statement.namedChildren.some((child) => child.type === "wildcard_import"))
        this.hasStarImports = true;
      for (const item of statement.namedChildren.slice(1)) {
        const dotted = item.type === "aliased_import" ? item.childForFieldName("name") : item;
        const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
        if (dotted?.type !== "dotted_name") continue;
        this.bindings.set((alias ?? dotted).text, { kind: "ref", ref: `${source}:${dotted.text}` });
      }
      return;
    }
    const assignment = statement.type === "expression_statement" ? statement.namedChildren[0] : undefined;
    const left = assignment?.type === "assignment" ? assignment.childForFieldName("left") : null;
    if (left?.type === "identifier")
      this.bindings.set(left.text, { kind: "ref", ref: `${this.options.name}:${left.text}` });
  }

  private absoluteModule(specifier: string): string {
    const dots = /^\.*/.exec(specifier)![0].length;
    if (dots === 0) return specifier;
    const parts = this.options.name.split(".");
    const base = parts.slice(0, parts.length - (this.options.isPackage ? dots - 1 : dots));
    const rest = specifier.slice(dots);
    return [...base, ...(rest === "" ? [] : [rest])].join(".");
  }

  private readTopLevel(statement: SyntaxNode): void {
    const definition = unwrapDecorated(statement);
    const symbols = this.module.s;
    if (definition.type === "class_definition") {
      const name = definition.childForFieldName("name")?.text;
      if (name !== undefined) symbols[name] = this.readClass(definition);
    } else if (definition.type === "function_definition") {
      const name = definition.childForFieldName("name")?.text;
      if (name === "__getattr__") this.readModuleGetattr(definition);
      else if (name !== undefined) this.addFunction(this.functions, name, definition);
    } else if (statement.type === "import_statement") {
      this.readImport(statement);
    } else if (statement.type === "import_from_statement") {
      this.readFromImport(statement);
    } else if (statement.type === "expression_statement") {
      const assignment = statement.namedChildren[0];
      if (assignment?.type === "assignment" || assignment?.type === "augmented_assignment")
        this.readModuleAssignment(assignment);
    } else if (statement.type === "for_statement" || statement.type === "with_statement") {
      // Names a top-level loop or with binds stay module attributes.
      const targets =
        statement.type === "for_statement"
          ? [statement.childForFieldName("left")]
          : statement.descendantsOfType("as_pattern_target");
      for (const target of targets) this.bindUnknown(target);
    }
  }

  /** Each identifier of a target (`a, b = ...`, `for i, x in ...`) as a value of unknown type. */
  private bindUnknown(target: SyntaxNode | null): void {
    if (target === null) return;
    const names = target.type === "identifier" ? [target] : target.descendantsOfType("identifier");
    for (const name of names) if (name.parent?.type !== "attribute") this.module.s[name.text] ??= "v";
  }

  /**
   * A module `__getattr__` (PEP 562). A source one that ends by raising serves only the names it compares
   * against (`if name == "BaseCommand":`, deprecated aliases mostly): those become module names. Any other
   * (a stub's, or one that may return for any name) makes the module open.
   */
  private readModuleGetattr(definition: SyntaxNode): void {
    const statements = definition.childForFieldName("body")?.namedChildren ?? [];
    if (this.options.stub || statements.at(-1)?.type !== "raise_statement") {
      this.module.o = 1;
      return;
    }
    for (const comparison of definition.descendantsOfType("comparison_operator"))
      for (const literal of comparison.descendantsOfType("string_content"))
        this.module.s[literal.text] ??= "v";
  }

  private readImport(statement: SyntaxNode): void {
    for (const item of statement.namedChildren) {
      // In a source, `import a.b` makes `a` an attribute of the module too.
      if (item.type === "dotted_name" && !this.options.stub) {
        const head = item.text.split(".")[0]!;
        this.module.s[head] = `m${head}`;
      }
      if (item.type !== "aliased_import") continue;
      const dotted = item.childForFieldName("name")?.text;
      const alias = item.childForFieldName("alias")?.text;
      if (dotted === undefined || alias === undefined) continue;
      if (!this.options.stub || alias === dotted) this.module.s[alias] = `m${dotted}`;
    }
  }

  private readFromImport(statement: SyntaxNode): void {
    const source = this.absoluteModule(statement.childForFieldName("module_name")?.text ?? "");
    if (statement.namedChildren.some((child) => child.type === "wildcard_import")) {
      (this.module.star ??= []).push(source);
      return;
    }
    for (const item of statement.namedChildren.slice(1)) {
      const dotted = item.type === "aliased_import" ? item.childForFieldName("name") : item;
      const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
      if (dotted?.type !== "dotted_name") continue;
      const bound = (alias ?? dotted).text;
      if (this.options.stub && alias?.text !== dotted.text) continue;
      if (bound === "__all__") continue;
      this.module.s[bound] = `r${source}:${dotted.text}`;
    }
  }

  private readModuleAssignment(assignment: SyntaxNode): void {
    const left = assignment.childForFieldName("left");
    const right = assignment.childForFieldName("right");
    if (left === null) return;
    if (left.text === "__all__") {
      const names = stringList(right);
      if (names !== undefined)
        this.module.all =
          assignment.type === "augmented_assignment" ? [...(this.module.all ?? []), ...names] : names;
      return;
    }
    if (assignment.type !== "assignment") return;
    if (left.type !== "identifier") {
      this.bindUnknown(left);
      return;
    }
    const annotation = assignment.childForFieldName("type");
    const isTypeAlias = annotation !== null && /(^|\.)TypeAlias$/.test(annotation.text);
    if (annotation !== null && !isTypeAlias) {
      this.module.s[left.text] = encodeRefs("v", this.types.refs(annotation));
    } else if (right !== null && (right.type === "identifier" || right.type === "attribute" || isTypeAlias)) {
      const module = right.type === "identifier" ? this.bindings.get(right.text) : undefined;
      this.module.s[left.text] =
        module?.kind === "module" ? `m${module.module}` : encodeRefs("r", this.types.refs(right));
    } else {
      this.module.s[left.text] = encodeRefs("v", this.valueRefs(right));
    }
  }

  /** What a plain value expression holds, as far as a literal or a constructor call tells. */
  private valueRefs(node: SyntaxNode | null): string[] | undefined {
    if (node === null) return undefined;
    const literal = literalRef(node);
    if (literal !== undefined) return [literal];
    if (node.type === "call") {
      const refs = this.types.refs(node.childForFieldName("function"));
      return refs?.length === 1 && refs[0] !== "None" ? refs : undefined;
    }
    return undefined;
  }

  private readClass(definition: SyntaxNode): PyClass {
    const shape: PyClass = { b: [], m: {} };
    // typing declares its special forms as classes (`class Any: ...`); an `Any` has every attribute.
    if (specialForms.has(`${this.options.name}:${definition.childForFieldName("name")?.text}`)) shape.o = 1;
    for (const base of definition.childForFieldName("superclasses")?.namedChildren ?? []) {
      if (base.type === "keyword_argument") {
        if (base.childForFieldName("name")?.text !== "metaclass") continue;
        const refs = this.types.refs(base.childForFieldName("value"));
        if (refs?.length === 1) shape.mc = refs[0]!;
        else shape.o = 1;
        continue;
      }
      const refs = this.types.refs(base);
      if (refs === undefined || refs.length !== 1) shape.o = 1;
      else if (!memberlessBases.has(refs[0]!)) shape.b.push(refs[0]!);
      // A protocol's metaclass at run time is typing's _ProtocolMeta, an ABCMeta (`register` and all).
      else if (refs[0] === "typing:Protocol") shape.mc ??= "abc:ABCMeta";
    }
    const methods = new Map<string, string[] | null>();
    const body = definition.childForFieldName("body");
    for (const statement of this.liveStatements(body?.namedChildren ?? [])) {
      const member = unwrapDecorated(statement);
      const name = member.childForFieldName("name")?.text;
      if (member.type === "function_definition" && name !== undefined) {
        if (name === "__getattr__" || name === "__getattribute__") shape.o = 1;
        // __enter__ is kept: what `with x as y` binds to y.
        if (name.startsWith("_") && name !== "__enter__") {
          if (!this.options.stub) this.readSelfAssignments(member, shape);
          continue;
        }
        if (decoratorNames(statement).some((decorator) => propertyDecorators.has(decorator)))
          shape.m[name] = encodeRefs("a", this.types.refs(member.childForFieldName("return_type")));
        else if (!(name in shape.m) || methods.has(name)) this.addFunction(methods, name, member);
        if (!this.options.stub) this.readSelfAssignments(member, shape);
      } else if (member.type === "class_definition" && name !== undefined) {
        if (!name.startsWith("_")) shape.m[name] = "a";
      } else if (statement.type === "expression_statement") {
        const assignment = statement.namedChildren[0];
        const left = assignment?.type === "assignment" ? assignment.childForFieldName("left") : null;
        if (left?.type !== "identifier" || left.text.startsWith("_")) continue;
        // `RED = 1` in an Enum is a member, not an int: only an annotation types a class attribute.
        shape.m[left.text] = encodeRefs("a", this.types.refs(assignment!.childForFieldName("type")));
      }
    }
    for (const [name, refs] of methods) shape.m[name] = encodeRefs("m", refs ?? []);
    return shape;
  }

  /** `self.x = ...` in a method of a source class makes `x` an attribute of its instances. */
  private readSelfAssignments(method: SyntaxNode, shape: PyClass): void {
    for (const target of method.descendantsOfType("attribute")) {
      const object = target.childForFieldName("object");
      const attribute = target.childForFieldName("attribute")?.text;
      const parent = target.parent;
      if (object?.text !== "self" || attribute === undefined || attribute.startsWith("_")) continue;
      if (parent?.type !== "assignment" || parent.childForFieldName("left")?.id !== target.id) continue;
      shape.m[attribute] ??= "a";
    }
  }

  private addFunction(table: Map<string, string[] | null>, name: string, definition: SyntaxNode): void {
    const returns = this.types.refs(definition.childForFieldName("return_type"));
    const existing = table.get(name);
    // Overloads and version variants: the union of what each returns; unknown if any is.
    if (returns === undefined || existing === null) table.set(name, null);
    else table.set(name, [...new Set([...(existing ?? []), ...returns])]);
  }
}

function literalRef(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case "string":
    case "concatenated_string":
      return node.text.startsWith("b") || node.text.startsWith("B") ? "builtins:bytes" : "builtins:str";
    case "integer":
      return "builtins:int";
    case "float":
      return "builtins:float";
    case "list":
    case "list_comprehension":
      return "builtins:list";
    case "dictionary":
    case "dictionary_comprehension":
      return "builtins:dict";
    case "set":
    case "set_comprehension":
      return "builtins:set";
    case "tuple":
      return "builtins:tuple";
    case "true":
    case "false":
      return "builtins:bool";
    default:
      return undefined;
  }
}

/** `["a", "b"]` or `("a", "b")` as its strings; undefined for anything computed. */
function stringList(node: SyntaxNode | null): string[] | undefined {
  if (node === null || (node.type !== "list" && node.type !== "tuple")) return undefined;
  const names: string[] = [];
  for (const item of node.namedChildren) {
    if (item.type === "comment") continue;
    const content =
      item.type === "string" ? item.namedChildren.find((c) => c.type === "string_content") : null;
    if (content === null || content === undefined) return undefined;
    names.push(content.text);
  }
  return names;
}

function unwrapDecorated(node: SyntaxNode): SyntaxNode {
  return node.type === "decorated_definition" ? (node.childForFieldName("definition") ?? node) : node;
}

function decoratorNames(node: SyntaxNode): string[] {
  if (node.type !== "decorated_definition") return [];
  return node.namedChildren.filter((child) => child.type === "decorator").map((d) => d.text.slice(1).trim());
}

function nextClause(ifStatement: SyntaxNode, clause: SyntaxNode): SyntaxNode | null {
  const alternatives = ifStatement.childrenForFieldName("alternative");
  if (clause.id === ifStatement.id) return alternatives[0] ?? null;
  const index = alternatives.findIndex((alternative) => alternative.id === clause.id);
  return alternatives[index + 1] ?? null;
}
