import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { reuseEvaluatedPrefix } from "../completion/index.js";

/** The two models' next-token distributions at one step, and the token chosen from them. */
export interface TwoModelStep {
  primary: ReadonlyMap<Token, number>;
  secondary: ReadonlyMap<Token, number>;
  chosen: Token;
}

export type ChooseToken = (
  primary: ReadonlyMap<Token, number>,
  secondary: ReadonlyMap<Token, number>,
) => Token;

/**
 * Decodes with two models that share a tokenizer, one token at a time: both evaluate the prompt, then
 * at each step `choose` picks the next token from their full next-token distributions (node-llama-cpp's
 * per-token probabilities of evaluateWithMetadata), and both sequences are fed that token. What each
 * sequence already evaluated of the prompt is reused; the sequences must have no token predictor.
 * Yields every chosen token, end-of-generation tokens included: the caller decides where to stop.
 */
export async function* decodeWithTwoModels(
  sequences: { primary: LlamaContextSequence; secondary: LlamaContextSequence },
  prompt: readonly Token[],
  choose: ChooseToken,
  onStep?: (step: TwoModelStep) => void,
): AsyncGenerator<Token, void, void> {
  if (prompt.length === 0) throw new Error("two-model decoding needs a prompt of at least one token");
  const tokens = [...prompt];
  const [primaryReused, secondaryReused] = await Promise.all([
    reuseEvaluatedPrefix(sequences.primary, tokens),
    reuseEvaluatedPrefix(sequences.secondary, tokens),
  ]);
  // Greedy sampling options: what the sampler would pick is ignored; the distributions are what count.
  const options = { temperature: 0, yieldEogToken: true } as const;
  const primary = sequences.primary.evaluateWithMetadata(
    tokens.slice(primaryReused),
    { probabilities: true },
    options,
  );
  const secondary = sequences.secondary.evaluateWithMetadata(
    tokens.slice(secondaryReused),
    { probabilities: true },
    options,
  );
  try {
    let next: Token | undefined;
    while (true) {
      const [a, b] = await Promise.all([primary.next(next), secondary.next(next)]);
      if (a.done || b.done) return;
      const chosen = choose(a.value.probabilities, b.value.probabilities);
      onStep?.({ primary: a.value.probabilities, secondary: b.value.probabilities, chosen });
      next = chosen;
      yield chosen;
    }
  } finally {
    await Promise.all([primary.return(), secondary.return()]);
  }
}
