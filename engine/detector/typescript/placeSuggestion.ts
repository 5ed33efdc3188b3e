/** A file's text with a suggestion inserted, and where the suggestion lies in it. */
export interface PlacedSuggestion {
  whole: string;
  inserted: { from: number; to: number };
}

/** How much of the prefix's start and of the suffix's end anchors the editor's window in the file. */
const anchorChars = 256;

/**
 * The file with the snippet inserted between the editor's prefix and suffix, which may be only a window
 * around the cursor: the file's text outside that window is kept. The window is found in `fileText`
 * whole, or else by its two ends (the file the compiler has may be a few keystrokes behind the editor's,
 * or hold the text the suggestion is being checked in place of); a file with no text is the window alone.
 * Undefined when the window's ends are not in the file.
 */
export function placeSuggestion(
  fileText: string | undefined,
  prefix: string,
  snippet: string,
  suffix: string,
): PlacedSuggestion | undefined {
  const around = fileText === undefined ? { before: "", after: "" } : windowIn(fileText, prefix, suffix);
  if (around === undefined) return undefined;
  const from = around.before.length + prefix.length;
  return {
    whole: around.before + prefix + snippet + suffix + around.after,
    inserted: { from, to: from + snippet.length },
  };
}

function windowIn(
  text: string,
  prefix: string,
  suffix: string,
): { before: string; after: string } | undefined {
  const exact = text.indexOf(prefix + suffix);
  if (exact >= 0)
    return { before: text.slice(0, exact), after: text.slice(exact + prefix.length + suffix.length) };
  const head = prefix.slice(0, anchorChars);
  const start = text.startsWith(head) ? 0 : text.indexOf(head);
  const tail = suffix.slice(-anchorChars);
  const tailAt = text.endsWith(tail) ? text.length - tail.length : text.lastIndexOf(tail);
  if (start < 0 || tailAt < 0 || tailAt + tail.length < start + head.length) return undefined;
  return { before: text.slice(0, start), after: text.slice(tailAt + tail.length) };
}
