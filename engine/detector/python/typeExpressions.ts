import type { SyntaxNode } from "../../syntax/index.js";
import { isPythonBuiltin } from "../data/builtins.js";

/** What a name of a module binds: a symbol ("module:Name") or a module (`import os`). */
export type NameBinding = { kind: "ref"; ref: string } | { kind: "module"; module: string };

export interface TypeScope {
  moduleName: string;
  binding(name: string): NameBinding | undefined;
  /** Whether the module star-imports: an unbound name that is not a built-in then comes from there. */
  hasStarImports(): boolean;
}

/** How typing's spellings map to what they mean for members. */
const typingAliases: Record<string, string | null> = {
  "typing:List": "builtins:list",
  "typing:Dict": "builtins:dict",
  "typing:Set": "builtins:set",
  "typing:FrozenSet": "builtins:frozenset",
  "typing:Tuple": "builtins:tuple",
  "typing:Text": "builtins:str",
  "typing:LiteralString": "builtins:str",
  "typing:NamedTuple": "builtins:tuple",
  "typing:TypedDict": "builtins:dict",
  "typing:Any": null,
  "typing:Never": null,
  "typing:NoReturn": null,
  "typing:Type": null,
  "_typeshed:Incomplete": null,
};
const wrapperGenerics = new Set(["typing:ClassVar", "typing:Final", "typing:Annotated", "typing:Required"]);

/**
 * Type expressions of a module (annotations, return types, bases, aliases) as refs, through the names
 * its scope binds: `list[str] | None` is ["builtins:list", "None"], `Optional[Path]` ["pathlib:Path",
 * "None"] after `from pathlib import Path`.
 */
export class TypeExpressions {
  constructor(private readonly scope: TypeScope) {}

  /** The refs a type expression names; undefined when any part is not knowable. */
  refs(node: SyntaxNode | null): string[] | undefined {
    if (node === null) return undefined;
    switch (node.type) {
      case "type":
        return this.refs(node.namedChildren[0] ?? null);
      case "none":
        return ["None"];
      case "identifier":
      case "attribute":
        return this.nameRefs(node.text);
      case "string": {
        const content = node.namedChildren.find((child) => child.type === "string_content")?.text;
        return content !== undefined && /^[\w.]+$/.test(content) ? this.nameRefs(content) : undefined;
      }
      case "union_type":
      case "binary_operator": {
        if (node.type === "binary_operator" && node.childForFieldName("operator")?.text !== "|")
          return undefined;
        const parts = node.namedChildren.filter((child) => child.type !== "comment").map((c) => this.refs(c));
        if (parts.some((part) => part === undefined)) return undefined;
        return [...new Set(parts.flatMap((part) => part!))];
      }
      case "generic_type":
      case "subscript":
        return this.genericRefs(node);
      default:
        return undefined;
    }
  }

  private genericRefs(node: SyntaxNode): string[] | undefined {
    const [head, ...rest] = node.namedChildren;
    const base = head === undefined ? undefined : this.baseRef(head);
    const args =
      node.type === "generic_type"
        ? (rest[0]?.namedChildren ?? [])
        : rest.flatMap((child) => (child.type === "tuple" ? child.namedChildren : [child]));
    if (base === "typing:Optional") {
      const inner = this.refs(args[0] ?? null);
      return inner === undefined ? undefined : [...inner, "None"];
    }
    if (base === "typing:Union") {
      const parts = args.map((arg) => this.refs(arg));
      return parts.some((part) => part === undefined) ? undefined : [...new Set(parts.flatMap((p) => p!))];
    }
    if (base !== undefined && wrapperGenerics.has(base)) return this.refs(args[0] ?? null);
    // `type[X]` is the class X itself, not an instance of anything: left unknown.
    if (base === undefined || base === "typing:Literal" || base === "builtins:type") return undefined;
    const mapped = base in typingAliases ? typingAliases[base] : base;
    return mapped === null || mapped === undefined ? undefined : [mapped];
  }

  /** The ref a generic's head names, typing's spellings kept (`typing:Optional`). */
  private baseRef(node: SyntaxNode): string | undefined {
    if (node.type !== "identifier" && node.type !== "attribute") return undefined;
    return this.nameRefs(node.text, false)?.[0];
  }

  /** A (dotted) name in a type position, through the file's bindings; builtins are implicit. */
  private nameRefs(dotted: string, mapTyping = true): string[] | undefined {
    const [head, ...rest] = dotted.split(".");
    if (head === undefined) return undefined;
    const binding = this.scope.binding(head);
    let ref: string;
    if (rest.length === 0) {
      if (head === "Self") return ["Self"];
      if (binding === undefined)
        ref =
          this.scope.hasStarImports() && !isPythonBuiltin(head)
            ? `${this.scope.moduleName}:${head}`
            : `builtins:${head}`;
      else ref = binding.kind === "ref" ? binding.ref : "";
    } else {
      if (binding?.kind !== "module") return undefined;
      ref = `${[binding.module, ...rest.slice(0, -1)].join(".")}:${rest[rest.length - 1]}`;
    }
    if (ref === "") return undefined;
    // typing_extensions re-exports typing's names (and backports newer ones under the same names).
    if (ref.startsWith("typing_extensions:")) ref = `typing:${ref.slice("typing_extensions:".length)}`;
    if (ref === "typing:Self") return ["Self"];
    if (!mapTyping) return [ref];
    if (ref in typingAliases) {
      const mapped = typingAliases[ref];
      return mapped === null || mapped === undefined ? undefined : [mapped];
    }
    return [ref];
  }
}
