import type ts from "typescript";
import type { ModuleResolver } from "./moduleResolver.js";

/** What a program with one file's text replaced is built from. */
export interface OverlayProgramInput {
  /** The present program: its source files are reused as they are, and its structure where it can be. */
  base: ts.Program;
  rootNames: readonly string[];
  fileName: string;
  text: string;
  currentDirectory: string;
  /** The text of a file the present program does not have (the editor's, else the disk's). */
  readFile(fileName: string): string | undefined;
  fileExists(fileName: string): boolean;
  resolver: ModuleResolver;
}

/**
 * A new program with `fileName`'s text replaced, built beside the present one rather than in its place:
 * the language service keeps its program, whose type checker (and all it has resolved) the next check
 * reuses, and the present program's source files are not reparsed (so not changed) for this one.
 */
export function createOverlayProgram(typescript: typeof ts, input: OverlayProgramInput): ts.Program {
  const { base, fileName, text, resolver } = input;
  const sys = typescript.sys;
  const parse = (
    name: string,
    contents: string,
    languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions,
  ): ts.SourceFile => typescript.createSourceFile(name, contents, languageVersion, true);
  // getModuleResolutionCache is read by the program (for package.json scopes) though the public typings
  // leave it out of compiler hosts, as for the language service's host.
  const host: ts.CompilerHost & Pick<ts.CompilerHost, "getModuleResolutionCache"> = {
    getSourceFile: (name, languageVersion) => {
      if (name === fileName) return parse(name, text, languageVersion);
      // A file of a package installed twice is in the program as a redirect to its twin; the host
      // answers with the file itself, as the program asks.
      const present = base.getSourceFile(name);
      if (present !== undefined) return (present as Redirected).redirectInfo?.unredirected ?? present;
      const contents = input.readFile(name);
      return contents === undefined ? undefined : parse(name, contents, languageVersion);
    },
    getDefaultLibFileName: (options) => typescript.getDefaultLibFilePath(options),
    writeFile: () => undefined,
    getCurrentDirectory: () => input.currentDirectory,
    getCanonicalFileName: (name) => (sys.useCaseSensitiveFileNames ? name : name.toLowerCase()),
    useCaseSensitiveFileNames: () => sys.useCaseSensitiveFileNames,
    getNewLine: () => sys.newLine,
    fileExists: (name) => name === fileName || input.fileExists(name),
    readFile: (name) => (name === fileName ? text : input.readFile(name)),
    directoryExists: (name) => sys.directoryExists(name),
    getDirectories: (name) => sys.getDirectories(name),
    realpath: sys.realpath ? (name) => sys.realpath!(name) : undefined,
    resolveModuleNameLiterals: resolver.resolveModuleNameLiterals,
    getModuleResolutionCache: resolver.getModuleResolutionCache,
  };
  const rootNames = input.rootNames.includes(fileName) ? input.rootNames : [...input.rootNames, fileName];
  return typescript.createProgram({ rootNames, options: base.getCompilerOptions(), host, oldProgram: base });
}

interface Redirected {
  redirectInfo?: { unredirected: ts.SourceFile };
}
