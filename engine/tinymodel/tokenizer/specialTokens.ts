export interface SpecialToken {
  text: string;
  id: number;
}

/** A run of plain text, or a special token found in the input. */
export type Fragment = { text: string } | { id: number };

const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * Cuts special token texts out of the input the way llama.cpp's tokenizer_st_partition does: one
 * special token at a time, longest text first (equal lengths by ascending id), each splitting every
 * plain fragment left over by the previous ones at all its non-overlapping occurrences.
 */
export function splitOnSpecialTokens(text: string, specialTokens: readonly SpecialToken[]): Fragment[] {
  let fragments: Fragment[] = text === "" ? [] : [{ text }];
  const byLength = [...specialTokens].sort((a, b) => utf8Length(b.text) - utf8Length(a.text) || a.id - b.id);
  for (const special of byLength) {
    const next: Fragment[] = [];
    for (const fragment of fragments) {
      if (!("text" in fragment)) {
        next.push(fragment);
        continue;
      }
      let from = 0;
      for (
        let at = fragment.text.indexOf(special.text);
        at >= 0;
        at = fragment.text.indexOf(special.text, from)
      ) {
        if (at > from) next.push({ text: fragment.text.slice(from, at) });
        next.push({ id: special.id });
        from = at + special.text.length;
      }
      if (from < fragment.text.length) next.push({ text: fragment.text.slice(from) });
    }
    fragments = next;
  }
  return fragments;
}
