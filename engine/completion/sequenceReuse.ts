import type { LlamaContextSequence, Token } from "node-llama-cpp";

/**
 * Keeps the part of the sequence's evaluated tokens that the new prompt starts with and erases the
 * rest, so only the remainder is evaluated: at least one token, whose evaluation yields the first
 * prediction. Returns how many prompt tokens were kept.
 */
export async function reuseEvaluatedPrefix(sequence: LlamaContextSequence, prompt: Token[]): Promise<number> {
  const reused = Math.min(sequence.compareContextTokens(prompt).firstDifferentIndex, prompt.length - 1);
  if (sequence.nextTokenIndex > reused)
    await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
  return reused;
}
