import type ts from "typescript";

/**
 * The compiler's functions an overlay check needs that its public typings leave out (they are exported
 * at run time all the same): binding a source file made outside a program, a type checker over an
 * existing program, and the program's own answer to where an import of a file resolved.
 */
export interface CompilerInternals {
  bindSourceFile(file: ts.SourceFile, options: ts.CompilerOptions): void;
  getSetExternalModuleIndicator(options: ts.CompilerOptions): (file: ts.SourceFile) => void;
  createTypeChecker(program: ts.Program): ts.TypeChecker;
}

/** The program's resolution of `moduleName` imported by `file` (a property the checker reads on it). */
export type GetResolvedModule = (
  file: ts.SourceFile,
  moduleName: string,
  mode: ts.ResolutionMode,
) => ts.ResolvedModuleWithFailedLookupLocations | undefined;

export type ProgramWithResolutions = ts.Program & { getResolvedModule: GetResolvedModule };

/** The internals, or undefined in a TypeScript that does not have them all (overlay checks are off then). */
export function compilerInternals(typescript: typeof ts): CompilerInternals | undefined {
  const candidate = typescript as unknown as Partial<CompilerInternals>;
  return typeof candidate.bindSourceFile === "function" &&
    typeof candidate.getSetExternalModuleIndicator === "function" &&
    typeof candidate.createTypeChecker === "function"
    ? (candidate as CompilerInternals)
    : undefined;
}

export function hasResolutions(program: ts.Program): program is ProgramWithResolutions {
  return typeof (program as Partial<ProgramWithResolutions>).getResolvedModule === "function";
}
