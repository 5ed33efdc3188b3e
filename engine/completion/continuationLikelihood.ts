import type { LlamaContextSequence, Token } from "node-llama-cpp";

/**
 * log P(continuation[i] | context, continuation before i) under the sequence's model, for every token
 * of the continuation. Tokens the sequence already holds up to the context's last token are reused;
 * the rest is evaluated once, with the model's full next-token distribution read where it is needed.
 */
export async function continuationLogProbabilities(
  sequence: LlamaContextSequence,
  context: readonly Token[],
  continuation: readonly Token[],
): Promise<number[]> {
  if (continuation.length === 0) return [];
  if (context.length === 0) throw new Error("scoring a continuation needs a context of at least one token");
  const all = [...context, ...continuation];
  // The distribution after the context's last token is needed, so that token is always evaluated.
  const keep = Math.min(sequence.compareContextTokens(all).firstDifferentIndex, context.length - 1);
  if (sequence.nextTokenIndex > keep)
    await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  const firstScored = context.length - 1;
  const input = all
    .slice(keep, -1)
    .map((token, offset) =>
      keep + offset >= firstScored ? ([token, { generateNext: { probabilities: true } }] as const) : token,
    );
  const results = await sequence.controlledEvaluate(
    input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0],
  );
  return continuation.map((token, index) => {
    const probability = results[firstScored + index - keep]?.next.probabilities?.get(token) ?? 0;
    return Math.log(Math.max(probability, Number.MIN_VALUE));
  });
}

/** The mean of the log-probabilities: the candidate's likelihood per token, so length does not decide. */
export function meanLogProbability(logProbabilities: readonly number[]): number | undefined {
  return logProbabilities.length === 0
    ? undefined
    : logProbabilities.reduce((sum, value) => sum + value, 0) / logProbabilities.length;
}
