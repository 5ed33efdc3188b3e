import type ts from "typescript";

/**
 * Whether the member named at `position` (a property access `x.name`) exists on some type of the union
 * its receiver has: the compiler says "does not exist on type 'A | B'" for a member only some of them
 * have, which means the code needs a narrowing, not that the member was made up.
 */
export function onSomeUnionMember(
  typescript: typeof ts,
  checker: ts.TypeChecker,
  sourceFile: ts.SourceFile,
  position: number,
) {
  const access = propertyAccessAt(typescript, sourceFile, position);
  if (access === undefined) return false;
  const receiver = checker.getTypeAtLocation(access.expression);
  if (!receiver.isUnion()) return false;
  const name = access.name.text;
  return receiver.types.some((type) => checker.getPropertyOfType(type, name) !== undefined);
}

function propertyAccessAt(
  typescript: typeof ts,
  node: ts.Node,
  position: number,
): ts.PropertyAccessExpression | undefined {
  if (typescript.isPropertyAccessExpression(node) && node.name.getStart() === position) return node;
  let found: ts.PropertyAccessExpression | undefined;
  typescript.forEachChild(node, (child) => {
    if (found === undefined && child.pos <= position && position < child.end)
      found = propertyAccessAt(typescript, child, position);
  });
  return found;
}
