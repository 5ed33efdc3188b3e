import type ts from "typescript";

/**
 * The syntax errors of a string, comment, template or regular expression left open, which the compiler
 * reports where the line or the file ends: after the inserted text when the suggestion opened it.
 */
const unterminated = new Set([1002, 1010, 1160, 1161]);

/**
 * Whether the file parses with the suggestion in it: no syntax error in the inserted text, and none of
 * the errors of a string, comment or template it leaves open (which turns the code after it into text).
 * The compiler's verdict on code it cannot parse says little: `import x.y(z` declares `x` to it.
 */
export function parsesWithSuggestion(
  diagnostics: readonly ts.Diagnostic[],
  inserted: { from: number; to: number },
): boolean {
  return !diagnostics.some(
    ({ start, code }) =>
      start !== undefined && start >= inserted.from && (start <= inserted.to || unterminated.has(code)),
  );
}
