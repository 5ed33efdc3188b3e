// Completion cases where the right answer is an identifier the code itself wrote: the TypeScript
// scanner finds the identifiers (outside comments and strings), the file's text says what was written, and
// the model's tokenizer says which part the user has typed (the identifier's first token).
import type { LlamaModel } from "node-llama-cpp";
import ts from "typescript";
import type { CompletionEngine, CompletionRequest } from "../../engine/completion/index.js";
import { keepEnd, keepStart } from "../../engine/host/contract/index.js";

export interface IdentifierCase {
  path: string;
  identifier: string;
  /** What the user has typed of it: the text of its first token(s), the rest left to complete. */
  typed: string;
  request: CompletionRequest;
}

/** Identifiers shorter than this are mostly a token or two: not what copying is about. */
const minimumLength = 5;

/** Every identifier occurrence in a TypeScript text, in source order. */
export function identifierOccurrences(text: string): { start: number; name: string }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const found: { start: number; name: string }[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.Identifier)
      found.push({ start: scanner.getTokenStart(), name: scanner.getTokenText() });
  }
  return found;
}

/**
 * How much of the identifier at `start` its first token covers, as the model tokenizes it in place (a
 * letter run takes the punctuation or space before it into its first piece); undefined when the
 * identifier is one token, leaving nothing to complete.
 */
export function typedPrefixLength(
  model: LlamaModel,
  text: string,
  start: number,
  name: string,
): number | undefined {
  const lead = start > 0 && !/[\r\n]/.test(text[start - 1]!) ? 1 : 0;
  const tokens = model.tokenize(text.slice(start - lead, start + name.length), false);
  let end = -lead;
  for (const token of tokens) {
    end += model.detokenize([token]).length;
    if (end > 0 && end < name.length) return end;
    if (end >= name.length) return undefined;
  }
  return undefined;
}

/**
 * What of the file a case's prompt holds around the cursor. Less than the editor sends (8,000 and 2,000
 * characters), so that a case's prompt is evaluated in well under a second on two cores.
 */
export const caseWindow = { prefixChars: 2_000, suffixChars: 500 } as const;

/** The request the editor sends with the cursor after `typed`: the text before, and after its line. */
export function requestAfterTyping(
  path: string,
  text: string,
  start: number,
  typed: string,
): CompletionRequest {
  const lineEnd = text.indexOf("\n", start);
  return {
    document: `file:///workspace/${path}#${start}`,
    path,
    prefix: keepEnd(text.slice(0, start) + typed, caseWindow.prefixChars),
    suffix: lineEnd < 0 ? "" : keepStart(text.slice(lineEnd), caseWindow.suffixChars),
    multiline: false,
    maxTokens: 16,
  };
}

/**
 * The case of the identifier `name` at `start` in a file, its first token typed; undefined when the
 * identifier is one token.
 */
export function identifierCaseAt(
  model: LlamaModel,
  file: { path: string; text: string },
  start: number,
  name: string,
): IdentifierCase | undefined {
  const typedLength = typedPrefixLength(model, file.text, start, name);
  if (typedLength === undefined) return undefined;
  const typed = name.slice(0, typedLength);
  return {
    path: file.path,
    identifier: name,
    typed,
    request: requestAfterTyping(file.path, file.text, start, typed),
  };
}

/**
 * Positions in the files where an identifier that occurs earlier in the prompt window is typed again,
 * its first token typed: copying it from the prompt completes it.
 */
export function repeatedIdentifierCases(
  model: LlamaModel,
  files: readonly { path: string; text: string }[],
): IdentifierCase[] {
  const cases: IdentifierCase[] = [];
  for (const file of files) {
    const seen = new Map<string, number>();
    for (const { start, name } of identifierOccurrences(file.text)) {
      const earlier = seen.get(name);
      seen.set(name, start);
      if (name.length < minimumLength || earlier === undefined) continue;
      if (start - earlier > caseWindow.prefixChars - 100) continue;
      const found = identifierCaseAt(model, file, start, name);
      if (found) cases.push(found);
    }
  }
  return cases;
}

/**
 * The share of cases whose greedy completion finishes the identifier exactly (generated afresh, never from
 * the cache); `onProgress` hears of every 40th case.
 */
export async function exactMatchRate(
  engine: CompletionEngine,
  cases: readonly IdentifierCase[],
  onProgress?: (done: number, right: number) => void,
): Promise<number> {
  let right = 0;
  for (const [index, { identifier, typed, request }] of cases.entries()) {
    const result = await engine.complete({ ...request, bypassCache: true });
    if (completesIdentifier(result.text, identifier, typed)) right++;
    if ((index + 1) % 40 === 0) onProgress?.(index + 1, right);
  }
  return right / cases.length;
}

/** Whether a completion after `typed` finishes the identifier exactly (not running on into a longer name). */
export function completesIdentifier(completion: string, identifier: string, typed: string): boolean {
  const rest = identifier.slice(typed.length);
  return completion.startsWith(rest) && !/^[\w$]/.test(completion.slice(rest.length));
}
