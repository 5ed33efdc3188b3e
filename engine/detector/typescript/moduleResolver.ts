import type ts from "typescript";

/**
 * Module resolution with a cache shared by every version of the program. Without one, each check's
 * new program resolves its file's imports again through the file system (package.json reads, stats):
 * a third of a warm check. `clear` forgets it all, for when files that imports resolve to come or go.
 */
export class ModuleResolver {
  private cache: ts.ModuleResolutionCache;

  constructor(
    private readonly typescript: typeof ts,
    private readonly currentDirectory: string,
    private readonly options: ts.CompilerOptions,
    private readonly host: ts.ModuleResolutionHost,
  ) {
    this.cache = this.newCache();
  }

  resolveModuleNameLiterals = (
    literals: readonly ts.StringLiteralLike[],
    containingFile: string,
    redirectedReference: ts.ResolvedProjectReference | undefined,
    options: ts.CompilerOptions,
    containingSourceFile: ts.SourceFile,
  ): readonly ts.ResolvedModuleWithFailedLookupLocations[] =>
    literals.map((literal) =>
      this.typescript.resolveModuleName(
        literal.text,
        containingFile,
        options,
        this.host,
        this.cache,
        redirectedReference,
        this.typescript.getModeForUsageLocation(containingSourceFile, literal, options),
      ),
    );

  /** The cache, which the program also reads package.json scopes from (each file's module format). */
  getModuleResolutionCache = (): ts.ModuleResolutionCache => this.cache;

  clear(): void {
    this.cache = this.newCache();
  }

  private newCache(): ts.ModuleResolutionCache {
    const { typescript } = this;
    return typescript.createModuleResolutionCache(
      this.currentDirectory,
      (fileName) => (typescript.sys.useCaseSensitiveFileNames ? fileName : fileName.toLowerCase()),
      this.options,
    );
  }
}
