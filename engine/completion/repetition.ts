/**
 * Whether the generation has fallen into a loop: its last tokens are one short run repeated (`vavava`,
 * `jklm jklm jklm`), at least three times and six tokens long. A model that copies from its context
 * copies its own output once it repeats itself, and would fill the token limit with the loop.
 */
export function endsInRepetition(tokens: readonly number[], maxPeriod = 16): boolean {
  for (let period = 1; period <= maxPeriod; period++) {
    const span = Math.max(3 * period, 6);
    if (tokens.length < span) return false;
    let repeated = true;
    for (let index = tokens.length - span + period; index < tokens.length && repeated; index++)
      repeated = tokens[index] === tokens[index - period];
    if (repeated) return true;
  }
  return false;
}
