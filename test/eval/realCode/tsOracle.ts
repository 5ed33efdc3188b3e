// The TypeScript compiler as the labelling oracle: every case's document (prefix + snippet + suffix) is
// compiled in the workspace, and the diagnostics that say a name does not exist, inside the snippet,
// are its labels.
import type ts from "typescript";
import type { LabelKind } from "../evalSet.js";
import type { RealCase, RealLabel } from "./realCase.js";
import { programWith } from "./tsProgram.js";

/** Diagnostic codes meaning "does not exist", by the finding kind they stand for. */
export const existenceCodes: ReadonlyMap<number, LabelKind> = new Map([
  [2304, "unknownSymbol"], // Cannot find name 'x'.
  [2552, "unknownSymbol"], // Cannot find name 'x'. Did you mean 'y'?
  [2503, "unknownSymbol"], // Cannot find namespace 'x'.
  [2339, "unknownMember"], // Property 'x' does not exist on type 'T'.
  [2551, "unknownMember"], // Property 'x' does not exist on type 'T'. Did you mean 'y'?
  [2576, "unknownMember"], // Property 'x' does not exist on type 'T'. Did you mean the static member?
  [2305, "unknownMember"], // Module 'm' has no exported member 'x'.
  [2724, "unknownMember"], // 'm' has no exported member named 'x'. Did you mean 'y'?
  [2694, "unknownMember"], // Namespace 'n' has no exported member 'x'.
  [2614, "unknownMember"], // Module 'm' has no exported member 'x'. Did you mean to use 'import x from'?
  [2459, "unknownMember"], // Module 'm' declares 'x' locally, but it is not exported.
  [2460, "unknownMember"], // Module 'm' declares 'x' locally, but it is exported as 'y'.
  [2307, "unknownPackage"], // Cannot find module 'm' or its corresponding type declarations.
  [2792, "unknownPackage"], // Cannot find module 'm'. Did you mean to set the 'moduleResolution' option?
]);

export interface CompilerVerdict {
  labels: RealLabel[];
  /** A syntax error anywhere in the document: the case is malformed, not labelled. */
  syntaxError: boolean;
}

export function documentOf(realCase: RealCase): string {
  return realCase.prefix + realCase.snippet + realCase.suffix;
}

/** Labels every case with one program over the workspace at `root` (cases are in-memory files). */
export function compilerLabels(root: string, cases: readonly RealCase[]): Map<string, CompilerVerdict> {
  const program = programWith(root, new Map(cases.map((realCase) => [realCase.path, documentOf(realCase)])));
  const verdicts = new Map<string, CompilerVerdict>();
  for (const realCase of cases) {
    const file = program.getSourceFiles().find((source) => source.fileName.endsWith(`/${realCase.path}`))!;
    const from = realCase.prefix.length;
    const to = from + realCase.snippet.length;
    const labels: RealLabel[] = [];
    for (const diagnostic of program.getSemanticDiagnostics(file)) {
      const kind = existenceCodes.get(diagnostic.code);
      const start = diagnostic.start ?? -1;
      if (kind === undefined || start < from || start >= to) continue;
      labels.push({ kind, name: nameAt(file, start, diagnostic.length ?? 0) });
    }
    verdicts.set(realCase.id, { labels, syntaxError: program.getSyntacticDiagnostics(file).length > 0 });
  }
  return verdicts;
}

/** The name a diagnostic points at, a module specifier without its quotes. */
function nameAt(file: ts.SourceFile, start: number, length: number): string {
  const text = file.text.slice(start, start + length);
  return text.replace(/^["'`]|["'`]$/g, "");
}
