import type { LlamaContextSequence, Token } from "node-llama-cpp";

/**
 * log P(token[i] | tokens before it) for i = 1..n-1, from one evaluation of the sequence (cleared
 * first). The first token has no score: nothing precedes it.
 */
export async function tokenLogLikelihoods(
  sequence: LlamaContextSequence,
  tokens: readonly Token[],
): Promise<number[]> {
  if (tokens.length < 2) return [];
  await sequence.clearHistory();
  const results = await sequence.controlledEvaluate(
    tokens.map((token, index) =>
      index < tokens.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
    ),
  );
  const scores: number[] = [];
  for (let index = 0; index < tokens.length - 1; index++) {
    const probability = results[index]?.next.probabilities?.get(tokens[index + 1]!) ?? 0;
    scores.push(Math.log(Math.max(probability, Number.MIN_VALUE)));
  }
  return scores;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
