import { resolve } from "node:path";
import type ts from "typescript";
import type { Finding } from "../finding.js";
import { nearestNames } from "../suggest.js";
import { compilerFindings } from "./compilerFindings.js";
import { Documents } from "./documents.js";
import { ModuleResolver } from "./moduleResolver.js";
import { placeSuggestion } from "./placeSuggestion.js";
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

/** Checks run while warming: enough for the compiler's code to be optimized by the first real one. */
const warmingEdits = 3;

/** The name a suggestion for a file not saved yet is checked under. */
const untitledFile = "__coop_untitled__.ts";

/**
 * A TypeScript language service over one workspace's project: its files as the editor has them, a
 * suggestion checked by overlaying it on its file as a new version of it, then restored.
 */
export class TypeScriptProject {
  private readonly documents: Documents;
  private readonly rootNames: Set<string>;
  private readonly service: ts.LanguageService;
  private readonly resolver: ModuleResolver;
  private cancelled: () => boolean = () => false;

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
    this.documents.set(fileName, text);
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
    if (javaScriptExtensions.test(fileName) && !this.config.options.checkJs)
      return { judged: false, reason: "the project does not type-check JavaScript (checkJs is off)" };
    const text = placeSuggestion(this.documents.text(fileName), input.prefix, input.snippet, input.suffix);
    if (text === undefined)
      return {
        judged: false,
        reason: "the editor's text around the cursor is not in the compiler's copy of the file",
      };
    const before = this.documents.editorText(fileName);
    const wasRoot = this.rootNames.has(fileName);
    this.documents.set(fileName, text.whole);
    this.rootNames.add(fileName);
    this.cancelled = cancelled;
    try {
      if (!parsesWithSuggestion(this.service.getSyntacticDiagnostics(fileName), text.inserted))
        return { judged: false, reason: "the suggestion does not parse as TypeScript" };
      const diagnostics = this.diagnosticsIn(fileName, text.inserted);
      const program = this.service.getProgram()!;
      const findings = compilerFindings(this.typescript, diagnostics, text.whole, text.inserted).filter(
        (finding) =>
          finding.kind !== "unknownMember" ||
          !onSomeUnionMember(this.typescript, program, fileName, text.inserted.from + finding.span.start),
      );
      for (const finding of findings)
        if (finding.suggestions.length === 0 && finding.kind !== "unknownPackage")
          finding.suggestions = this.namesNear(
            fileName,
            text.inserted.from + finding.span.start,
            finding.name,
          );
      return { judged: true, findings };
    } finally {
      this.cancelled = () => false;
      this.documents.set(fileName, before);
      if (!wasRoot) this.rootNames.delete(fileName);
    }
  }

  dispose(): void {
    this.service.dispose();
  }

  /**
   * The semantic diagnostics of the statements the inserted range overlaps: the language service's
   * region check (what editors use on large files; not in the public typings, hence the probe), or the
   * whole file's where this TypeScript has none. Checking a whole file re-checks every statement of it
   * on each new version, 2-4 times slower on an ordinary file.
   */
  private diagnosticsIn(fileName: string, range: { from: number; to: number }): readonly ts.Diagnostic[] {
    const service = this.service as ts.LanguageService & Partial<RegionDiagnostics>;
    const region = service.getRegionSemanticDiagnostics?.(fileName, [{ pos: range.from, end: range.to }]);
    return region?.diagnostics ?? this.service.getSemanticDiagnostics(fileName);
  }

  /** The names the compiler offers where the wrong one is written, nearest to it first. */
  private namesNear(fileName: string, position: number, wrong: string): string[] {
    const completions = this.service.getCompletionsAtPosition(fileName, position, {});
    return completions
      ? nearestNames(
          wrong,
          completions.entries.map((entry) => entry.name),
        )
      : [];
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
