import { resolve } from "node:path";
import type ts from "typescript";
import type { Finding } from "../finding.js";
import { nearestNames } from "../suggest.js";
import { compilerFindings } from "./compilerFindings.js";
import { Documents } from "./documents.js";
import { ModuleResolver } from "./moduleResolver.js";
import { namesAt } from "./namesAt.js";
import { OverlayChecker, type Overlay } from "./overlayChecker.js";
import { createOverlayProgram } from "./overlayProgram.js";
import { regionNodes } from "./regionNodes.js";
import { placeSuggestion, type PlacedSuggestion } from "./placeSuggestion.js";
import { parsesWithSuggestion } from "./parsesWithSuggestion.js";
import { onSomeUnionMember } from "./unionMembers.js";
import { loadProjectConfig, type ProjectConfig } from "./projectConfig.js";

/** A suggestion to check: the text inserted between the editor's prefix and suffix in a file. */
export interface CheckInput {
  /** The file, relative to the workspace root (or absolute); absent for a file not saved yet. */
  path?: string;
  prefix: string;
  snippet: string;
  suffix: string;
}

/** The compiler's findings, or why it did not judge (the fast checker's verdict stands then). */
export type CompilerVerdict = { judged: true; findings: Finding[] } | { judged: false; reason: string };

const checkedExtensions = /\.(?:[cm]?tsx?|[cm]?jsx?)$/;
const javaScriptExtensions = /\.(?:[cm]?jsx?)$/;
/** The language service's region check (TypeScript 5.6 and later). */
interface RegionDiagnostics {
  getRegionSemanticDiagnostics(
    fileName: string,
    ranges: ts.TextRange[],
  ): { diagnostics: ts.Diagnostic[]; spans: ts.TextSpan[] } | undefined;
}

/** A program's check of some statements of a file (TypeScript 5.6 and later; not in the public typings). */
interface RegionProgram {
  getSemanticDiagnostics(
    sourceFile: ts.SourceFile,
    token: ts.CancellationToken,
    nodes: readonly ts.Node[],
  ): readonly ts.Diagnostic[];
}

/** Checks run while warming: enough for the compiler's code to be optimized by the first real one. */
const warmingEdits = 3;

/** The name a suggestion for a file not saved yet is checked under. */
const untitledFile = "__coop_untitled__.ts";

/**
 * A TypeScript language service over one workspace's project, its files as the editor has them. A
 * suggestion is checked on its file's new text against the service's present program, whose type checker
 * (warm) serves every check (OverlayChecker); where that cannot judge it, in a new program built beside.
 */
export class TypeScriptProject {
  private readonly documents: Documents;
  private readonly rootNames: Set<string>;
  private readonly service: ts.LanguageService;
  private readonly resolver: ModuleResolver;
  private readonly overlays: OverlayChecker;
  private cancelled: () => boolean = () => false;
  /** Where the editor last changed a file, for prepare. */
  private lastEdit: { fileName: string; at: number } | undefined;

  private constructor(
    private readonly typescript: typeof ts,
    private readonly root: string,
    private readonly config: ProjectConfig,
  ) {
    this.documents = new Documents(typescript);
    this.rootNames = new Set(config.fileNames.map((name) => this.fileName(name)));
    this.resolver = new ModuleResolver(typescript, root, config.options, {
      fileExists: (fileName) => this.fileExists(fileName),
      readFile: (fileName) => this.documents.text(fileName),
    });
    this.overlays = new OverlayChecker(typescript, this.resolver.resolveModuleNameLiterals);
    this.service = typescript.createLanguageService(this.host(), typescript.createDocumentRegistry());
  }

  /** The project at `root`, or why it is not loaded (more than `maxFiles` files of its own). */
  static load(
    typescript: typeof ts,
    root: string,
    maxFiles: number,
  ): TypeScriptProject | { notLoaded: string } {
    const config = loadProjectConfig(typescript, root);
    if (config.fileNames.length > maxFiles)
      return {
        notLoaded: `the project has ${config.fileNames.length} files, more than the compiler loads (${maxFiles})`,
      };
    return new TypeScriptProject(typescript, root, config);
  }

  get fileCount(): number {
    return this.rootNames.size;
  }

  /**
   * Builds the program and its type checker, then checks an edit of a file of the project a few times,
   * so the first real check pays neither for them nor for compiling the compiler's own code paths.
   */
  warm(): void {
    this.service.getProgram()?.getTypeChecker();
    const first = [...this.rootNames].find((name) => checkedExtensions.test(name) && !name.endsWith(".d.ts"));
    const text = first === undefined ? undefined : this.documents.text(first);
    if (first === undefined || text === undefined) return;
    for (let edit = 0; edit < warmingEdits; edit++)
      this.check({ path: first, prefix: text, snippet: `\n;`, suffix: "" }, () => false);
  }

  /** The editor's text of a file (undefined: back to the file on disk). */
  updateDocument(path: string, text: string | undefined): void {
    const fileName = this.fileName(path);
    // A file that imports may now resolve to, or a package.json that changes how they resolve.
    if (!this.fileExists(fileName) || fileName.endsWith("/package.json")) this.resolver.clear();
    const previous = this.documents.text(fileName);
    this.documents.set(fileName, text);
    const next = this.documents.text(fileName);
    if (previous !== undefined && next !== undefined && previous !== next)
      this.lastEdit = { fileName, at: firstDifference(previous, next) };
  }

  /**
   * Brings the program up to date with the editor's texts and checks the statements around the last
   * edit, so that the next check, which overlays its suggestion on this program, finds the type checker
   * built and the types used there resolved. For idle time: it does what that check would do first.
   */
  prepare(): void {
    const program = this.service.getProgram();
    const edit = this.lastEdit;
    this.lastEdit = undefined;
    if (edit === undefined || program?.getSourceFile(edit.fileName) === undefined) return;
    if (!this.checks(edit.fileName)) return;
    const service = this.service as ts.LanguageService & Partial<RegionDiagnostics>;
    service.getRegionSemanticDiagnostics?.(edit.fileName, [{ pos: edit.at, end: edit.at + 1 }]);
  }

  /**
   * The findings in `input.snippet` that mean a name does not exist, as the compiler sees the file with
   * the snippet inserted. `cancelled` is polled while checking; a cancelled check throws the compiler's
   * OperationCanceledException.
   */
  check(input: CheckInput, cancelled: () => boolean): CompilerVerdict {
    const fileName = this.fileName(input.path ?? untitledFile);
    if (!checkedExtensions.test(fileName) || fileName.endsWith(".d.ts"))
      return { judged: false, reason: "the compiler checks TypeScript and JavaScript source files only" };
    if (!this.checks(fileName))
      return { judged: false, reason: "the project does not type-check JavaScript (checkJs is off)" };
    const text = placeSuggestion(this.documents.text(fileName), input.prefix, input.snippet, input.suffix);
    if (text === undefined)
      return {
        judged: false,
        reason: "the editor's text around the cursor is not in the compiler's copy of the file",
      };
    this.cancelled = cancelled;
    try {
      const base = this.service.getProgram()!;
      const overlay = this.overlays.parse(base, fileName, text.whole);
      return "unsupported" in overlay
        ? this.checkInNewProgram(base, fileName, text, cancelled)
        : this.checkOverlay(overlay, text);
    } finally {
      this.cancelled = () => false;
    }
  }

  /** The check of the suggestion with the present program's checker (see OverlayChecker). */
  private checkOverlay(overlay: Overlay, text: PlacedSuggestion): CompilerVerdict {
    if (!parsesWithSuggestion(overlay.syntactic, text.inserted))
      return { judged: false, reason: "the suggestion does not parse as TypeScript" };
    return this.overlays.check(overlay, text.inserted, (diagnostics, checker) => ({
      judged: true,
      findings: this.existenceFindings(diagnostics, text, checker, overlay.sourceFile),
    }));
  }

  /** The check of the suggestion in a new program with the file's text replaced (createOverlayProgram). */
  private checkInNewProgram(
    base: ts.Program,
    fileName: string,
    text: PlacedSuggestion,
    cancelled: () => boolean,
  ): CompilerVerdict {
    const { typescript } = this;
    const program = createOverlayProgram(typescript, {
      base,
      rootNames: [...this.rootNames],
      fileName,
      text: text.whole,
      currentDirectory: this.root,
      readFile: (name) => this.documents.text(name),
      fileExists: (name) => this.fileExists(name),
      resolver: this.resolver,
    });
    const sourceFile = program.getSourceFile(fileName)!;
    if (!parsesWithSuggestion(program.getSyntacticDiagnostics(sourceFile), text.inserted))
      return { judged: false, reason: "the suggestion does not parse as TypeScript" };
    const token: ts.CancellationToken = {
      isCancellationRequested: cancelled,
      throwIfCancellationRequested: () => {
        // The compiler's own exception (not an Error), which the worker reports as a cancelled check.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if (cancelled()) throw new typescript.OperationCanceledException();
      },
    };
    const nodes = regionNodes(typescript, sourceFile, text.inserted);
    const diagnostics = (program as ts.Program & RegionProgram).getSemanticDiagnostics(
      sourceFile,
      token,
      nodes,
    );
    return {
      judged: true,
      findings: this.existenceFindings(diagnostics, text, program.getTypeChecker(), sourceFile),
    };
  }

  /**
   * The findings of diagnostics in the inserted text, but for members some type of a union has, each
   * with the names nearest it where the compiler's message proposes none.
   */
  private existenceFindings(
    diagnostics: readonly ts.Diagnostic[],
    text: PlacedSuggestion,
    checker: ts.TypeChecker,
    sourceFile: ts.SourceFile,
  ): Finding[] {
    const { typescript } = this;
    const at = (finding: Finding): number => text.inserted.from + finding.span.start;
    const findings = compilerFindings(typescript, diagnostics, text.whole, text.inserted).filter(
      (finding) =>
        finding.kind !== "unknownMember" || !onSomeUnionMember(typescript, checker, sourceFile, at(finding)),
    );
    for (const finding of findings)
      if (finding.suggestions.length === 0 && finding.kind !== "unknownPackage")
        finding.suggestions = nearestNames(
          finding.name,
          namesAt(typescript, checker, sourceFile, at(finding)),
        );
    return findings;
  }

  dispose(): void {
    this.service.dispose();
  }

  /** Whether the project type-checks a source file (JavaScript only with checkJs). */
  private checks(fileName: string): boolean {
    return (
      checkedExtensions.test(fileName) &&
      !fileName.endsWith(".d.ts") &&
      (!javaScriptExtensions.test(fileName) || this.config.options.checkJs === true)
    );
  }

  private fileName(path: string): string {
    // The compiler's file names: absolute, with forward slashes on every platform.
    return resolve(this.root, path).replaceAll("\\", "/");
  }

  private fileExists(fileName: string): boolean {
    return this.documents.editorText(fileName) !== undefined || this.typescript.sys.fileExists(fileName);
  }

  private host(): ts.LanguageServiceHost {
    const { typescript, documents, config } = this;
    const sys = typescript.sys;
    // getModuleResolutionCache is read by the service (it hands it to its compiler host) though its
    // public typings list it for compiler hosts only.
    const host: ts.LanguageServiceHost & Pick<ts.CompilerHost, "getModuleResolutionCache"> = {
      getCompilationSettings: () => config.options,
      getScriptFileNames: () => [...this.rootNames],
      getScriptVersion: (fileName) => documents.version(fileName),
      getScriptSnapshot: (fileName) => documents.snapshot(fileName),
      getCurrentDirectory: () => this.root,
      getDefaultLibFileName: (options) => typescript.getDefaultLibFilePath(options),
      fileExists: (fileName) => this.fileExists(fileName),
      readFile: (fileName) => documents.text(fileName),
      readDirectory: (...args) => sys.readDirectory(...args),
      directoryExists: (name) => sys.directoryExists(name),
      getDirectories: (name) => sys.getDirectories(name),
      realpath: sys.realpath ? (name) => sys.realpath!(name) : undefined,
      useCaseSensitiveFileNames: () => sys.useCaseSensitiveFileNames,
      resolveModuleNameLiterals: this.resolver.resolveModuleNameLiterals,
      getModuleResolutionCache: this.resolver.getModuleResolutionCache,
      getCancellationToken: () => ({ isCancellationRequested: () => this.cancelled() }),
    };
    return host;
  }
}

/** The offset of the first character where two texts differ (or the shorter's length). */
function firstDifference(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let at = 0;
  while (at < length && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  return at;
}
