import { languageForPath } from "../syntax/index.js";
import type { ChatAttachment } from "../host/contract/engineApi.js";

/** A workspace chunk as the retriever returns it (0-based inclusive lines). */
export interface RetrievedSource {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  score: number;
}

/** A retrieved chunk as the model reads it: its path and 1-based lines, then its code. */
export function formatSource(chunk: RetrievedSource): string {
  return `${chunk.path}, lines ${chunk.startLine + 1}-${chunk.endLine + 1}:\n${fenced(chunk.text, fenceTag(chunk.path))}`;
}

/**
 * An attachment as the model reads it. `text` replaces the attachment's own (when it was cut), and
 * `cutLines` says how many of its last lines were left out.
 */
export function formatAttachment(attachment: ChatAttachment, text = attachment.text, cutLines = 0): string {
  const lines =
    attachment.startLine === undefined
      ? ""
      : `, lines ${attachment.startLine + 1}-${(attachment.endLine ?? attachment.startLine) + 1}`;
  const what =
    attachment.kind === "selection"
      ? `Selected code from ${attachment.path}${lines}`
      : `The file ${attachment.path}`;
  const cut = cutLines > 0 ? `\n(${cutLines} more line${cutLines === 1 ? "" : "s"} not shown)` : "";
  // The editor's language id only when the path does not tell (an untitled file), and only if it is a plain
  // word.
  const editorLanguage =
    attachment.language !== undefined && /^[\w+#.-]+$/.test(attachment.language) ? attachment.language : "";
  return `${what}:\n${fenced(text, fenceTag(attachment.path) || editorLanguage)}${cut}`;
}

/** Code in a fence longer than any backtick run inside it, so the code cannot close it early. */
export function fenced(code: string, tag = ""): string {
  const longestRun = Math.max(0, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}${tag}\n${code.endsWith("\n") ? code : `${code}\n`}${fence}`;
}

/** The fence tag for a file: its language, as models write it. */
function fenceTag(path: string): string {
  const language = languageForPath(path);
  return language === "c-sharp" ? "csharp" : (language ?? "");
}

/**
 * The first lines of `text` whose formatting (`format`) fits in `budget` tokens, found by bisection
 * (each try tokenizes once). Undefined when not even one line fits.
 */
export function firstLinesWithin(
  text: string,
  budget: number,
  format: (text: string, cutLines: number) => string,
  countTokens: (text: string) => number,
): { text: string; cutLines: number } | undefined {
  const lines = text.split("\n");
  const fits = (count: number) =>
    countTokens(format(lines.slice(0, count).join("\n"), lines.length - count)) <= budget;
  if (!fits(1)) return undefined;
  let low = 1;
  let high = lines.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return { text: lines.slice(0, low).join("\n"), cutLines: lines.length - low };
}
