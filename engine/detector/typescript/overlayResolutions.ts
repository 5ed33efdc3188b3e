import type ts from "typescript";
import type { GetResolvedModule } from "./compilerInternals.js";

/** Resolves a file's module specifiers as the program's host does (with its cache). */
export type ResolveLiterals = (
  literals: readonly ts.StringLiteralLike[],
  containingFile: string,
  redirectedReference: undefined,
  options: ts.CompilerOptions,
  containingSourceFile: ts.SourceFile,
) => readonly ts.ResolvedModuleWithFailedLookupLocations[];

/**
 * Where `specifiers`, the module specifiers of `overlay` (a new text of `original`, a file of
 * `program`) resolve,
 * for those the program has not resolved for `original`: a map from `name|mode`, or undefined when one
 * resolves to a file the program does not have (only a new program can load it).
 */
export function overlayResolutions(
  typescript: typeof ts,
  program: ts.Program & { getResolvedModule: GetResolvedModule },
  original: ts.SourceFile,
  overlay: ts.SourceFile,
  specifiers: readonly ts.StringLiteralLike[],
  resolve: ResolveLiterals,
): Map<string, ts.ResolvedModuleWithFailedLookupLocations> | undefined {
  const options = program.getCompilerOptions();
  const unresolved = specifiers.filter(
    (literal) =>
      program.getResolvedModule(
        original,
        literal.text,
        typescript.getModeForUsageLocation(overlay, literal, options),
      ) === undefined,
  );
  const resolutions = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
  if (unresolved.length === 0) return resolutions;
  const resolved = resolve(unresolved, original.fileName, undefined, options, overlay);
  for (const [index, literal] of unresolved.entries()) {
    const resolution = resolved[index]!;
    const target = resolution.resolvedModule?.resolvedFileName;
    if (target !== undefined && program.getSourceFile(target) === undefined) return undefined;
    resolutions.set(
      resolutionKey(literal.text, typescript.getModeForUsageLocation(overlay, literal, options)),
      resolution,
    );
  }
  return resolutions;
}

export function resolutionKey(moduleName: string, mode: ts.ResolutionMode): string {
  return `${moduleName}|${String(mode)}`;
}

/**
 * The string literals of a file that name a module: of imports and exports, `import x = require()`,
 * `import("x")` calls and types, `require("x")` calls, `declare module "x"`, JSDoc `@import`.
 */
export function moduleSpecifiers(typescript: typeof ts, file: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const visit = (node: ts.Node): void => {
    if (typescript.isStringLiteralLike(node) && namesModule(typescript, node)) found.push(node);
    typescript.forEachChild(node, visit);
    for (const doc of (node as ts.Node & { jsDoc?: ts.JSDoc[] }).jsDoc ?? [])
      typescript.forEachChild(doc, visit);
  };
  visit(file);
  return found;
}

function namesModule(typescript: typeof ts, literal: ts.StringLiteralLike): boolean {
  const parent = literal.parent;
  return (
    typescript.isImportDeclaration(parent) ||
    typescript.isExportDeclaration(parent) ||
    typescript.isExternalModuleReference(parent) ||
    typescript.isModuleDeclaration(parent) ||
    typescript.isJSDocImportTag(parent) ||
    (typescript.isLiteralTypeNode(parent) && typescript.isImportTypeNode(parent.parent)) ||
    (typescript.isCallExpression(parent) &&
      parent.arguments[0] === literal &&
      loadsModule(typescript, parent))
  );
}

function loadsModule(typescript: typeof ts, call: ts.CallExpression): boolean {
  const callee = call.expression;
  return (
    callee.kind === typescript.SyntaxKind.ImportKeyword ||
    (typescript.isIdentifier(callee) && callee.text === "require")
  );
}
