import type ts from "typescript";

/**
 * The names that could stand where a wrong one is written at `position` (the start of its identifier),
 * as the checker knows them: the members of the receiver's type after `x.`, the exports of a module or
 * namespace for `import { y }` and `N.y`, the properties the contextual type of an object literal has,
 * and otherwise the names in scope there. What the language service's completions list, without it.
 */
export function namesAt(
  typescript: typeof ts,
  checker: ts.TypeChecker,
  sourceFile: ts.SourceFile,
  position: number,
): string[] {
  const identifier = identifierAt(typescript, sourceFile, position);
  if (identifier === undefined) return [];
  const names = (symbols: readonly ts.Symbol[]): string[] => symbols.map((symbol) => symbol.name);
  const parent = identifier.parent;
  if (typescript.isPropertyAccessExpression(parent) && parent.name === identifier)
    return names(
      checker.getPropertiesOfType(checker.getNonNullableType(checker.getTypeAtLocation(parent.expression))),
    );
  if (typescript.isQualifiedName(parent) && parent.right === identifier)
    return names(exportsOf(typescript, checker, checker.getSymbolAtLocation(parent.left)));
  if (
    (typescript.isImportSpecifier(parent) || typescript.isExportSpecifier(parent)) &&
    (parent.propertyName ?? parent.name) === identifier
  ) {
    const declaration = parent.parent.parent;
    const specifier = typescript.isImportDeclaration(declaration.parent)
      ? declaration.parent.moduleSpecifier
      : typescript.isExportDeclaration(declaration)
        ? declaration.moduleSpecifier
        : undefined;
    return specifier === undefined
      ? []
      : names(exportsOf(typescript, checker, checker.getSymbolAtLocation(specifier)));
  }
  if (
    (typescript.isPropertyAssignment(parent) || typescript.isShorthandPropertyAssignment(parent)) &&
    parent.name === identifier &&
    typescript.isObjectLiteralExpression(parent.parent)
  ) {
    const contextual = checker.getContextualType(parent.parent);
    return contextual === undefined ? [] : names(checker.getPropertiesOfType(contextual));
  }
  const meanings =
    typescript.SymbolFlags.Value |
    typescript.SymbolFlags.Type |
    typescript.SymbolFlags.Namespace |
    typescript.SymbolFlags.Alias;
  return names(checker.getSymbolsInScope(identifier, meanings));
}

function exportsOf(
  typescript: typeof ts,
  checker: ts.TypeChecker,
  symbol: ts.Symbol | undefined,
): ts.Symbol[] {
  if (symbol === undefined) return [];
  const target = symbol.flags & typescript.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return checker.getExportsOfModule(target);
}

function identifierAt(typescript: typeof ts, node: ts.Node, position: number): ts.Identifier | undefined {
  if (typescript.isIdentifier(node) && node.getStart() === position) return node;
  let found: ts.Identifier | undefined;
  typescript.forEachChild(node, (child) => {
    if (found === undefined && child.pos <= position && position < child.end)
      found = identifierAt(typescript, child, position);
    return found !== undefined;
  });
  return found;
}
