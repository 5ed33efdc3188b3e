import type { SyntaxNode } from "./parser.js";

export type DefinitionKind =
  "function" | "class" | "method" | "variable" | "interface" | "type" | "enum" | "property" | "module";

/** A named definition in a source file. Lines and columns are 0-based; end is exclusive in columns. */
export interface Definition {
  name: string;
  kind: DefinitionKind;
  /** The enclosing class, interface, enum or module, by name. */
  container?: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  exported: boolean;
}

/** A definition whose range is the node's (the whole declaration, not just its name). */
export function definitionAt(
  node: SyntaxNode,
  name: string,
  kind: DefinitionKind,
  exported: boolean,
  container?: string,
): Definition {
  const definition: Definition = {
    name,
    kind,
    startLine: node.startPosition.row,
    startColumn: node.startPosition.column,
    endLine: node.endPosition.row,
    endColumn: node.endPosition.column,
    exported,
  };
  if (container !== undefined) definition.container = container;
  return definition;
}
