import type ts from "typescript";
import {
  compilerInternals,
  hasResolutions,
  type CompilerInternals,
  type ProgramWithResolutions,
} from "./compilerInternals.js";
import {
  moduleSpecifiers,
  overlayResolutions,
  resolutionKey,
  type ResolveLiterals,
} from "./overlayResolutions.js";
import { regionNodes } from "./regionNodes.js";

/** A new text of a file of the program, parsed and bound outside it, ready to be checked against it. */
export interface Overlay {
  program: ts.Program;
  sourceFile: ts.SourceFile;
  syntactic: readonly ts.Diagnostic[];
  resolutions: Map<string, ts.ResolvedModuleWithFailedLookupLocations>;
}

/**
 * A type checker can take this many overlays before it is replaced: each leaves its nodes' links and its
 * diagnostics in the checker, which keeps them as long as it lives.
 */
const overlaysPerChecker = 300;

/**
 * Checks a new text of a file with the type checker of the program that has the file's present text:
 * the new text is parsed and bound on its own, as a module the program's other files do not see, and
 * its imports resolve as the program resolved them. No program is built for it, so the checker, its
 * merged globals and the types it has already resolved (a library's generics) serve every check. Files
 * whose new text could change what other files see are left to a new program: scripts (their names are
 * global), module augmentations, and imports of files the program does not have; so are files with
 * comment directives (`@ts-ignore`, `@ts-nocheck`), which the program's own check applies.
 */
export class OverlayChecker {
  private readonly internals: CompilerInternals | undefined;
  private program: ts.Program | undefined;
  private checker!: ts.TypeChecker;
  private overlays = 0;
  private overlayNames = 0;

  constructor(
    private readonly typescript: typeof ts,
    private readonly resolve: ResolveLiterals,
  ) {
    this.internals = compilerInternals(typescript);
  }

  /** The new text parsed and bound, or why it needs a new program instead. */
  parse(program: ts.Program, fileName: string, text: string): Overlay | { unsupported: string } {
    const { typescript, internals } = this;
    if (internals === undefined || !hasResolutions(program))
      return { unsupported: "this TypeScript has no overlay check" };
    const original = program.getSourceFile(fileName);
    if (original === undefined) return { unsupported: "the file is not in the program" };
    const options = program.getCompilerOptions();
    const sourceFile = typescript.createSourceFile(
      this.overlayName(fileName),
      text,
      {
        languageVersion: original.languageVersion,
        impliedNodeFormat: original.impliedNodeFormat,
        setExternalModuleIndicator: internals.getSetExternalModuleIndicator(options),
        jsDocParsingMode: sourceFileInternals(original).jsDocParsingMode,
      },
      true,
      scriptKindOf(original),
    );
    // The program's view of the file: where its imports resolve from and which package.json scope it is in.
    Object.assign(sourceFile, sameFileAs(original));
    internals.bindSourceFile(sourceFile, options);
    const unsupported = [original, sourceFile].some((file) => !staysLocal(typescript, file))
      ? "the file is a script, augments modules or has comment directives"
      : undefined;
    if (unsupported !== undefined || options.noCheck) return { unsupported: unsupported ?? "noCheck is set" };
    const specifiers = moduleSpecifiers(typescript, sourceFile);
    // What the program records of a file's imports, which the checker reads to write a module's name: by
    // their index in the original file (why it includes a file), so the original's come first.
    const imports = sourceFileInternals(original).imports ?? [];
    const known = new Set(imports.map((literal) => literal.text));
    Object.assign(sourceFile, {
      imports: [...imports, ...specifiers.filter((literal) => !known.has(literal.text))],
      moduleAugmentations: [],
      ambientModuleNames: [],
    });
    const resolutions = overlayResolutions(
      typescript,
      program,
      original,
      sourceFile,
      specifiers,
      this.resolve,
    );
    if (resolutions === undefined) return { unsupported: "an import resolves to a file the program lacks" };
    return { program, sourceFile, syntactic: program.getSyntacticDiagnostics(sourceFile), resolutions };
  }

  /**
   * `inspect` given the semantic diagnostics of the statements `range` overlaps and the checker that
   * found them, for more questions on the overlay while its imports resolve. The check runs to its end
   * even when the engine has stopped waiting: a checker stopped half-way may be left inconsistent and
   * would have to be replaced, cold, while one let finish keeps what it resolved for the next check.
   */
  check<T>(
    overlay: Overlay,
    range: { from: number; to: number },
    inspect: (diagnostics: readonly ts.Diagnostic[], checker: ts.TypeChecker) => T,
  ): T {
    const { typescript } = this;
    const { program, sourceFile, resolutions } = overlay;
    const checker = this.checkerFor(program);
    const restore = this.addResolutions(overlay, resolutions);
    try {
      const nodes = regionNodes(typescript, sourceFile, range);
      const checked = (checker as unknown as RegionChecker).getDiagnostics(sourceFile, undefined, nodes);
      const internals = sourceFileInternals(sourceFile);
      const jsDoc = isJavaScript(sourceFile) ? (internals.jsDocDiagnostics ?? []) : [];
      return inspect([...internals.bindDiagnostics, ...checked, ...jsDoc], checker);
    } finally {
      restore();
    }
  }

  private checkerFor(program: ts.Program): ts.TypeChecker {
    if (program !== this.program) {
      this.program = program;
      this.checker = program.getTypeChecker();
      this.overlays = 0;
    } else if (this.overlays >= overlaysPerChecker) {
      this.checker = this.internals!.createTypeChecker(program);
      this.overlays = 0;
    }
    this.overlays++;
    return this.checker;
  }

  /**
   * Makes the program answer the overlay's new imports while it is checked: the checker asks the
   * program where an import of a file resolved, and the program knows only the original file's.
   */
  private addResolutions(
    overlay: Overlay,
    resolutions: Map<string, ts.ResolvedModuleWithFailedLookupLocations>,
  ): () => void {
    if (resolutions.size === 0) return () => undefined;
    const program = overlay.program as ProgramWithResolutions;
    const own = program.getResolvedModule;
    program.getResolvedModule = (file, moduleName, mode) =>
      (file === overlay.sourceFile ? resolutions.get(resolutionKey(moduleName, mode)) : undefined) ??
      own(file, moduleName, mode);
    return () => {
      program.getResolvedModule = own;
    };
  }

  /** A name of its own per overlay: the checker files the diagnostics it reports by file name. */
  private overlayName(fileName: string): string {
    const extension = /(\.d)?\.[^./]+$/.exec(fileName)?.[0] ?? "";
    const stem = fileName.slice(0, fileName.length - extension.length);
    return `${stem}.coop-overlay-${++this.overlayNames}${extension}`;
  }
}

/** The checker's check of some statements of a file (what the language service's region check calls). */
interface RegionChecker {
  getDiagnostics(file: ts.SourceFile, token: undefined, nodes: readonly ts.Node[]): ts.Diagnostic[];
}

interface SourceFileInternals {
  path: string;
  resolvedPath: string;
  originalFileName: string;
  packageJsonScope?: unknown;
  packageJsonLocations?: unknown;
  scriptKind: ts.ScriptKind;
  jsDocParsingMode?: ts.JSDocParsingMode;
  imports?: readonly ts.StringLiteralLike[];
  bindDiagnostics: ts.DiagnosticWithLocation[];
  jsDocDiagnostics?: ts.DiagnosticWithLocation[];
  commentDirectives?: unknown[];
  checkJsDirective?: unknown;
  commonJsModuleIndicator?: ts.Node;
}

function sourceFileInternals(file: ts.SourceFile): SourceFileInternals {
  return file as unknown as SourceFileInternals;
}

function sameFileAs(original: ts.SourceFile): Partial<SourceFileInternals> {
  const { path, resolvedPath, originalFileName, packageJsonScope, packageJsonLocations } =
    sourceFileInternals(original);
  return { path, resolvedPath, originalFileName, packageJsonScope, packageJsonLocations };
}

function scriptKindOf(file: ts.SourceFile): ts.ScriptKind {
  return sourceFileInternals(file).scriptKind;
}

function isJavaScript(file: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(file.fileName);
}

/** Whether what the file declares stays in it: a module, augmenting none, with no comment directives. */
function staysLocal(typescript: typeof ts, file: ts.SourceFile): boolean {
  const internals = sourceFileInternals(file);
  return (
    (typescript.isExternalModule(file) || internals.commonJsModuleIndicator !== undefined) &&
    !file.statements.some((statement) => augments(typescript, statement)) &&
    (internals.commentDirectives?.length ?? 0) === 0 &&
    internals.checkJsDirective === undefined
  );
}

/** Whether a statement is a `declare module "x"` or `declare global` block. */
function augments(typescript: typeof ts, statement: ts.Statement): boolean {
  return (
    typescript.isModuleDeclaration(statement) &&
    (typescript.isStringLiteral(statement.name) || statement.name.text === "global")
  );
}
