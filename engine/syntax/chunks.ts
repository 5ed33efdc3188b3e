import type { LanguageId } from "./languages.js";
import { withSyntaxTree, type SyntaxNode, type SyntaxTree } from "./parser.js";

/** A slice of a file: lines are 0-based and inclusive; chunks of a file cover it without overlap. */
export interface SyntaxChunk {
  startLine: number;
  endLine: number;
  /**
   * The tree-sitter type of the declaration; "statements" for packed top-level statements, "members"
   * for packed members of a split declaration (named after it), "lines" for plain windows.
   */
  kind: string;
  name?: string;
  text: string;
}

interface Unit {
  node: SyntaxNode;
  startLine: number;
  endLine: number;
  name?: string;
}

/**
 * Chunks a file along its top-level declarations: each declaration alone, consecutive other statements
 * packed together, anything longer than maxLines split by its members (a class by its methods), and
 * line windows as the last resort. Comments and blank lines before a unit belong to it.
 */
export async function chunkBySyntax(
  source: string,
  language: LanguageId,
  options: { maxLines: number },
): Promise<SyntaxChunk[]> {
  return withSyntaxTree(source, language, (tree) => chunkSyntaxTree(tree, options));
}

/** {@link chunkBySyntax} on a tree already parsed (so one parse can serve chunks and definitions). */
export function chunkSyntaxTree(tree: SyntaxTree, options: { maxLines: number }): SyntaxChunk[] {
  const maxLines = Math.max(1, Math.floor(options.maxLines));
  const lines = tree.source.split("\n");
  const chunker = new Chunker(lines, maxLines);
  chunker.chunkUnits(unitsOf(tree.rootNode.namedChildren), 0, lines.length - 1);
  chunker.finish();
  return chunker.chunks;
}

interface Pending {
  startLine: number;
  endLine: number;
  units: Unit[];
}

class Chunker {
  readonly chunks: SyntaxChunk[] = [];
  private pending: Pending | undefined;

  constructor(
    private readonly lines: string[],
    private readonly maxLines: number,
  ) {}

  /**
   * Chunks units spanning lines from..to. At top level only unnamed statements are packed together;
   * inside a split declaration (container set) its small members are packed too, named after it.
   */
  chunkUnits(units: Unit[], from: number, to: number, container?: string): void {
    if (to < from) return;
    if (units.length === 0) {
      this.windows(from, to, "lines", container);
      return;
    }
    let start = from;
    units.forEach((unit, index) => {
      const end = index === units.length - 1 ? to : Math.max(unit.endLine, start);
      this.chunkUnit(unit, start, end, container);
      start = end + 1;
    });
  }

  finish(container?: string): void {
    this.flush(container);
  }

  private chunkUnit(unit: Unit, start: number, end: number, container: string | undefined): void {
    const length = end - start + 1;
    const packable = unit.name === undefined || container !== undefined;
    if (packable && length <= this.maxLines) {
      if (this.pending !== undefined && end - this.pending.startLine + 1 <= this.maxLines) {
        this.pending.endLine = end;
        this.pending.units.push(unit);
      } else {
        this.flush(container);
        this.pending = { startLine: start, endLine: end, units: [unit] };
      }
      return;
    }
    this.flush(container);
    if (length <= this.maxLines) {
      this.emit(start, end, unit.node.type, unit.name);
      return;
    }
    const members = membersOf(unit.node);
    if (members.length >= 2) {
      this.chunkUnits(members, start, end, unit.name ?? container);
      this.flush(unit.name ?? container);
    } else {
      this.windows(
        start,
        end,
        unit.name === undefined ? "statements" : unit.node.type,
        unit.name ?? container,
      );
    }
  }

  private flush(container: string | undefined): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    const only = pending.units.length === 1 ? pending.units[0] : undefined;
    if (only?.name !== undefined && container === undefined)
      this.emit(pending.startLine, pending.endLine, only.node.type, only.name);
    else if (container !== undefined)
      this.emit(pending.startLine, pending.endLine, only?.node.type ?? "members", container);
    else this.emit(pending.startLine, pending.endLine, only?.node.type ?? "statements");
  }

  private windows(start: number, end: number, kind: string, name?: string): void {
    for (let line = start; line <= end; line += this.maxLines)
      this.emit(line, Math.min(end, line + this.maxLines - 1), kind, name);
  }

  private emit(startLine: number, endLine: number, kind: string, name?: string): void {
    const chunk: SyntaxChunk = {
      startLine,
      endLine,
      kind,
      text: this.lines.slice(startLine, endLine + 1).join("\n"),
    };
    if (name !== undefined) chunk.name = name;
    this.chunks.push(chunk);
  }
}

function unitsOf(nodes: SyntaxNode[]): Unit[] {
  // Comments are not units: the gap before a unit, comments included, belongs to it.
  return nodes
    .filter((node) => node.type !== "comment")
    .map((node) => {
      const unit: Unit = { node, startLine: node.startPosition.row, endLine: lastLine(node) };
      const name = declarationName(node);
      if (name !== undefined) unit.name = name;
      return unit;
    });
}

/** A node ending at column 0 ends on the line before (its text ends with the newline). */
function lastLine(node: SyntaxNode): number {
  const { row, column } = node.endPosition;
  return column === 0 && row > node.startPosition.row ? row - 1 : row;
}

/** The declaration a node wraps (export, decorators, ambient `declare`), or the node itself. */
function declarationOf(node: SyntaxNode): SyntaxNode {
  if (node.type === "export_statement" || node.type === "ambient_declaration") {
    return (
      node.childForFieldName("declaration") ??
      node.namedChildren.find((child) => child.type !== "decorator" && child.type !== "comment") ??
      node
    );
  }
  if (node.type === "decorated_definition") return node.childForFieldName("definition") ?? node;
  if (node.type === "expression_statement" && node.namedChildren[0]?.type === "internal_module")
    return node.namedChildren[0];
  return node;
}

function declarationName(node: SyntaxNode): string | undefined {
  const declaration = declarationOf(node);
  if (/import|comment|^expression_statement$|^return_statement$/.test(declaration.type)) return undefined;
  const name = declaration.childForFieldName("name");
  if (name !== null) return name.text;
  if (declaration.type === "lexical_declaration" || declaration.type === "variable_declaration") {
    const first = declaration.namedChildren
      .find((child) => child.type === "variable_declarator")
      ?.childForFieldName("name");
    if (first?.type === "identifier") return first.text;
  }
  return undefined;
}

function membersOf(node: SyntaxNode): Unit[] {
  const declaration = declarationOf(node);
  let body = declaration.childForFieldName("body");
  if (
    body === null &&
    (declaration.type === "lexical_declaration" || declaration.type === "variable_declaration")
  ) {
    // `const api = { ... }` or `const f = () => { ... }`: split the value's body.
    const value =
      declaration.namedChildren
        .find((child) => child.type === "variable_declarator")
        ?.childForFieldName("value") ?? null;
    body = value?.type === "object" ? value : (value?.childForFieldName("body") ?? null);
  }
  return body === null ? [] : unitsOf(body.namedChildren);
}
