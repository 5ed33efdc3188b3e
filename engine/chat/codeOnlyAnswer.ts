import { coopInstructions } from "./chatPrompt.js";

/** A code-only answer has at most this many lines of at most this many characters. */
export const codeOnlyMaxLines = 24;
export const codeOnlyMaxLineChars = 120;

export function codeOnlyInstructions(language: string): string {
  return `${coopInstructions} Answer with only the code the user asks for, as exactly one \`\`\`${language} code block, and no text before or after it.`;
}

/**
 * The GBNF grammar of a code-only answer: one fenced block in the language, lines without backticks
 * (so the fence cannot close early or nest), closed before the answer's token limit can cut it.
 */
export function codeOnlyGrammar(language: string): string {
  return [
    `root ::= "\`\`\`${language}\\n" line{1,${codeOnlyMaxLines}} "\`\`\`"`,
    `line ::= [^\`\\n\\r]{0,${codeOnlyMaxLineChars}} "\\n"`,
  ].join("\n");
}

/**
 * The rest of a code-only answer after its opening fence line, in the same shape as codeOnlyGrammar:
 * for drawing other versions of its code (best-of-n).
 */
export function codeOnlyBodyGrammar(): string {
  return [
    `root ::= line{1,${codeOnlyMaxLines}} "\`\`\`"`,
    `line ::= [^\`\\n\\r]{0,${codeOnlyMaxLineChars}} "\\n"`,
  ].join("\n");
}

/**
 * What closes a code-only answer the token limit or Stop cut before its closing fence (the grammar
 * allows nothing else there), so the block is whole; "" when it is closed already.
 */
export function codeOnlyClosing(text: string): string {
  if (!/^```[^\n]*\n/.test(text) || /\n```$/.test(text)) return "";
  return text.endsWith("\n") ? "```" : "\n```";
}

/** `text` with its code-only block closed (see codeOnlyClosing); the closing is streamed on as text. */
export function closeCodeOnly(text: string, onText?: (text: string) => void): string {
  const closing = codeOnlyClosing(text);
  if (closing === "") return text;
  onText?.(closing);
  return text + closing;
}
