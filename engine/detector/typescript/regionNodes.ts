import type ts from "typescript";

/**
 * The statements (or class members) to check for a range of a file, as the language service's region
 * check picks them: those of the innermost block or class around the whole range that overlap it.
 */
export function regionNodes(
  typescript: typeof ts,
  file: ts.SourceFile,
  range: { from: number; to: number },
): ts.Node[] {
  let container: ts.Node = file;
  let inner: ts.Node | undefined = file;
  while (inner !== undefined) {
    if (hasStatements(typescript, inner) || typescript.isClassLike(inner)) container = inner;
    const parent: ts.Node = inner;
    inner = undefined;
    typescript.forEachChild(parent, (child) => {
      if (child.pos <= range.from && range.to <= child.end) inner = child;
      return inner !== undefined;
    });
  }
  const children = typescript.isClassLike(container)
    ? container.members
    : (container as ts.Node & { statements: ts.NodeArray<ts.Statement> }).statements;
  const overlapping = children.filter((child) => child.pos < range.to && child.end > range.from);
  return overlapping.length > 0 || typescript.isSourceFile(container) ? overlapping : [container];
}

function hasStatements(typescript: typeof ts, node: ts.Node): boolean {
  return (
    typescript.isSourceFile(node) ||
    typescript.isBlock(node) ||
    typescript.isModuleBlock(node) ||
    typescript.isCaseOrDefaultClause(node)
  );
}
