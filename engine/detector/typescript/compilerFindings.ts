import type ts from "typescript";
import type { Finding, FindingKind, Span } from "../finding.js";

/**
 * The compiler's diagnostics that say a name does not exist, by code. Left out on purpose: the codes
 * that say a name exists at run time but the project lacks its declarations or library setting (2580,
 * 2582-2584, 2591, 2592 `require`/`describe`/`document` without their types; 2550 a newer library's
 * member; 7016 an untyped package), 2576 (the member exists, as a static one), 2792 and 2834/2835 (a
 * module resolution setting, not a missing module), and everything about types rather than existence.
 */
const existenceCodes = new Map<number, FindingKind>([
  [2304, "unknownSymbol"], // Cannot find name 'X'.
  [2552, "unknownSymbol"], // Cannot find name 'X'. Did you mean 'Y'?
  [2662, "unknownSymbol"], // Cannot find name 'X'. Did you mean the static member 'C.X'?
  [2663, "unknownSymbol"], // Cannot find name 'X'. Did you mean the instance member 'this.X'?
  [2503, "unknownSymbol"], // Cannot find namespace 'X'.
  [2339, "unknownMember"], // Property 'X' does not exist on type 'T'.
  [2551, "unknownMember"], // Property 'X' does not exist on type 'T'. Did you mean 'Y'?
  [2353, "unknownMember"], // Object literal may only specify known properties, and 'X' does not exist in ...
  [2561, "unknownMember"], // ... but 'X' does not exist in type 'T'. Did you mean to write 'Y'?
  [2305, "unknownMember"], // Module 'M' has no exported member 'X'.
  [2724, "unknownMember"], // 'M' has no exported member named 'X'. Did you mean 'Y'?
  [2614, "unknownMember"], // Module 'M' has no exported member 'X'. Did you mean to use 'import X from M'?
  [2694, "unknownMember"], // Namespace 'N' has no exported member 'X'.
  [2459, "unknownMember"], // Module 'M' declares 'X' locally, but it is not exported.
  [2460, "unknownMember"], // Module 'M' declares 'X' locally, but it is exported as 'Y'.
  [2307, "unknownPackage"], // Cannot find module 'M' or its corresponding type declarations.
]);

/** Whether a diagnostic code is one the compiler's check reports as a finding. */
export function isExistenceCode(code: number): boolean {
  return existenceCodes.has(code);
}

/** The names a message proposes instead: `Did you mean 'Y'?` and the like, plain identifiers only. */
export function suggestedNames(message: string): string[] {
  const proposed = /Did you mean (?:to write )?'([^']+)'\?|but it is exported as '([^']+)'/.exec(message);
  const name = proposed?.[1] ?? proposed?.[2];
  return name !== undefined && /^[A-Za-z_$][\w$]*$/.test(name) ? [name] : [];
}

/** The container a message names: the type of `on type 'T'` / `in type 'T'`, or the module / namespace. */
function containerIn(message: string): string | undefined {
  const match =
    /(?:on|in) type '(.+)'(?:\.|$)|^(?:Module|Namespace) '?"?([^'"]+)"?'? |^'"?([^'"]+)"?' has no/.exec(
      message,
    );
  return match?.[1] ?? match?.[2] ?? match?.[3];
}

/**
 * The findings among a file's diagnostics whose span lies in `inserted` (offsets in the file), with
 * their spans made relative to the inserted text.
 */
export function compilerFindings(
  typescript: typeof ts,
  diagnostics: readonly ts.Diagnostic[],
  fileText: string,
  inserted: { from: number; to: number },
): Finding[] {
  const findings: Finding[] = [];
  for (const diagnostic of diagnostics) {
    const kind = existenceCodes.get(diagnostic.code);
    if (kind === undefined || diagnostic.start === undefined || diagnostic.length === undefined) continue;
    let span: Span = { start: diagnostic.start, end: diagnostic.start + diagnostic.length };
    if (span.start < inserted.from || span.end > inserted.to) continue;
    if (kind === "unknownPackage" && /^['"`]/.test(fileText[span.start] ?? ""))
      span = { start: span.start + 1, end: span.end - 1 };
    const message = typescript.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const container = kind === "unknownMember" ? containerIn(message) : undefined;
    findings.push({
      kind,
      span: { start: span.start - inserted.from, end: span.end - inserted.from },
      name: fileText.slice(span.start, span.end),
      ...(container === undefined ? {} : { container }),
      evidence: `the TypeScript compiler: ${message}`,
      suggestions: suggestedNames(message),
    });
  }
  return findings;
}
