import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { tokenSurprisals } from "./tokenSurprisal.js";

/**
 * Self-information per line from a (draft) model: the lines are tokenized one by one and evaluated as
 * one sequence; a line's score is the sum of -log p of its tokens given everything before them.
 * Rejects with `signal`'s reason when it aborts (checked every 256 tokens).
 */
export function draftLineSelfInformation(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  maxTokens: number,
  signal?: AbortSignal,
) {
  return async (lines: string[]): Promise<number[]> => {
    const perLine = lines.map((line) => model.tokenize(`${line}\n`, false));
    const tokens: Token[] = perLine.flat().slice(0, maxTokens);
    const surprisals = await tokenSurprisals(sequence, tokens, signal);
    const scores: number[] = [];
    let position = 0;
    for (const lineTokens of perLine) {
      let information = 0;
      for (let i = 0; i < lineTokens.length; i++, position++) {
        // The first token has no score; tokens past the evaluated window count as surprising as average.
        if (position === 0) continue;
        information += position - 1 < surprisals.length ? surprisals[position - 1]! : 5;
      }
      scores.push(information);
    }
    return scores;
  };
}
