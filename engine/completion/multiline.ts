/**
 * Whether the cursor invites a multi-line suggestion: the line before it ends in `{`, `(`, `[`, `:`
 * or `=>` with nothing after the cursor, or the cursor sits on an empty line inside an empty block.
 * Otherwise one line: the user is in the middle of a statement.
 */
export function wantsMultiline(prefix: string, suffix: string): boolean {
  const lineBefore = prefix.slice(prefix.lastIndexOf("\n") + 1);
  const restOfLine = suffix.slice(0, suffix.indexOf("\n") === -1 ? suffix.length : suffix.indexOf("\n"));
  if (restOfLine.trim() !== "" && !/^[)\]}]*;?$/.test(restOfLine.trim())) return false;
  if (/(\{|\(|\[|:|=>)\s*$/.test(lineBefore)) return true;
  if (lineBefore.trim() !== "") return false;
  const previousLine =
    prefix
      .slice(0, prefix.length - lineBefore.length)
      .trimEnd()
      .split("\n")
      .at(-1) ?? "";
  const nextLine = suffix.slice(restOfLine.length).trimStart();
  return (
    /(\{|:|=>)\s*$/.test(previousLine) &&
    (nextLine === "" || /^[}\])]/.test(nextLine) || /^\S/.test(nextLine) === false)
  );
}
