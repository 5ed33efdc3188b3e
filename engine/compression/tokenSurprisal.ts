import type { LlamaContextSequence, Token } from "node-llama-cpp";

/** Tokens evaluated per step: an abort is noticed between steps. */
const stepTokens = 256;

/** -log of the smallest positive double: what a token the model rules out costs. */
const maxSurprisal = -Math.log(Number.MIN_VALUE);

/**
 * -log P(token[i] | tokens before it), in nats, for i = 1..n-1, from one evaluation of the sequence
 * (cleared first); the first token has no score. Per position only two logits come back (the next
 * token's and the largest) with the softmax's normaliser, not the whole vocabulary's probabilities:
 * 1.8x faster on the tiny draft's 1,024 tokens, and what keeps a 150k vocabulary affordable. Rejects
 * with `signal`'s reason between steps of 256 tokens.
 */
export async function tokenSurprisals(
  sequence: LlamaContextSequence,
  tokens: readonly Token[],
  signal?: AbortSignal,
): Promise<number[]> {
  if (tokens.length < 2) return [];
  signal?.throwIfAborted();
  await sequence.clearHistory();
  const surprisals: number[] = [];
  for (let start = 0; start < tokens.length; start += stepTokens) {
    signal?.throwIfAborted();
    const end = Math.min(tokens.length, start + stepTokens);
    const results = await sequence.controlledEvaluate(
      tokens.slice(start, end).map((token, offset) => {
        const next = tokens[start + offset + 1];
        if (next === undefined) return token;
        const filter = { tokens: [next], includeTop: 1 };
        return [token, { generateNext: { logits: { filter }, totalLogitWeight: true } }];
      }),
    );
    for (let index = start; index < end && index + 1 < tokens.length; index++)
      surprisals.push(surprisalOf(results[index - start]?.next, tokens[index + 1]!));
  }
  return surprisals;
}

/** log(sum exp(logit - max)) + max - logit: -log of the token's softmax probability. */
function surprisalOf(
  next: { logits?: ReadonlyMap<Token, number>; totalLogitWeight?: number } | undefined,
  token: Token,
): number {
  const logit = next?.logits?.get(token);
  if (logit === undefined || next?.totalLogitWeight === undefined) return maxSurprisal;
  let max = logit;
  for (const value of next.logits!.values()) max = Math.max(max, value);
  const surprisal = max - logit + Math.log(next.totalLogitWeight);
  return Number.isFinite(surprisal) ? Math.min(maxSurprisal, Math.max(0, surprisal)) : maxSurprisal;
}
