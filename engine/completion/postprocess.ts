export interface PostprocessInput {
  prefix: string;
  suffix: string;
  multiline: boolean;
  maxLines?: number;
}

/**
 * Turns raw model text into a suggestion: one line or a block as the cursor invites, stopped where
 * the suffix's next line begins, without closers the suffix already has, trailing whitespace trimmed,
 * and nothing at all when it only repeats the line above or below.
 */
export function postprocessCompletion(raw: string, input: PostprocessInput): string {
  let text = raw.replace(/\r\n/g, "\n");
  text = input.multiline ? stopAtSuffix(text, input.suffix, input.maxLines ?? 16) : firstLine(text);
  text = trimTrailingWhitespace(text);
  text = dropClosersTheSuffixHas(text, input.suffix);
  if (text.trim() === "" || repeatsSurroundings(text, input.prefix, input.suffix)) return "";
  return text;
}

function firstLine(text: string): string {
  const newline = text.indexOf("\n");
  return newline === -1 ? text : text.slice(0, newline);
}

function stopAtSuffix(text: string, suffix: string, maxLines: number): string {
  const suffixLines = suffix.split("\n");
  const nextSuffixLine =
    suffixLines
      .slice(1)
      .find((line) => line.trim() !== "")
      ?.trim() ?? suffixLines[0]!.trim();
  const lines = text.split("\n");
  const kept: string[] = [];
  for (const [index, line] of lines.entries()) {
    if (index > 0 && nextSuffixLine !== "" && line.trim() === nextSuffixLine) break;
    kept.push(line);
    if (kept.length >= maxLines) break;
  }
  return kept.join("\n");
}

function trimTrailingWhitespace(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

const closerOf: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** Removes closing brackets at the end of the suggestion that it did not open and the suffix starts with. */
function dropClosersTheSuffixHas(text: string, suffix: string): string {
  const suffixStart = suffix.slice(0, suffix.search(/\n|$/)).trimStart();
  const open: string[] = [];
  let unmatched = "";
  for (const char of text) {
    if (char in closerOf) open.push(closerOf[char]!);
    else if (char === ")" || char === "]" || char === "}") {
      if (open.at(-1) === char) open.pop();
      else unmatched += char;
    }
  }
  let result = text;
  for (let count = unmatched.length; count > 0; count--) {
    const tail = unmatched.slice(unmatched.length - count);
    if (result.trimEnd().endsWith(tail) && suffixStart.startsWith(tail)) {
      result = result.trimEnd().slice(0, -tail.length);
      break;
    }
  }
  return result;
}

function repeatsSurroundings(text: string, prefix: string, suffix: string): boolean {
  const candidate = text.trim();
  const previousLines = prefix
    .split("\n")
    .slice(0, -1)
    .filter((line) => line.trim() !== "");
  const lineAbove = previousLines.at(-1)?.trim();
  const nextLines = suffix
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
  const lineBelow = nextLines[0]?.trim();
  const currentLine = (prefix.slice(prefix.lastIndexOf("\n") + 1) + text).trim();
  return (
    candidate === lineAbove ||
    candidate === lineBelow ||
    currentLine === lineAbove ||
    currentLine === lineBelow
  );
}
