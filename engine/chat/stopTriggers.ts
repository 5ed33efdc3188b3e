import type { LlamaText, Token, Tokenizer } from "node-llama-cpp";

/**
 * Where an answer ends besides the model's end-of-generation tokens: what the chat template says ends a turn.
 */
export interface StopTriggers {
  /** Token runs that end the answer (control tokens such as `<|im_end|>`). */
  tokenRuns: Token[][];
  /** Plain texts that end the answer when the model spells them out. */
  texts: string[];
}

/**
 * Splits a chat template's stop triggers into control-token runs and plain texts, as node-llama-cpp
 * reads them: a special-tokens text counts as tokens only where it names control tokens of the
 * vocabulary (ChatML's `<|im_end|>`), and as text elsewhere (a template's "\n\n").
 */
export function stopTriggersOf(triggers: readonly LlamaText[], tokenizer: Tokenizer): StopTriggers {
  const tokenRuns: Token[][] = [];
  const texts: string[] = [];
  for (const trigger of triggers) {
    const parts = trigger.values.flatMap((value): (string | Token)[] => {
      if (typeof value === "string") return [value];
      if ("tokenizeSpecialTokensOnly" in value) return value.tokenizeSpecialTokensOnly(tokenizer);
      return value.tokenize(tokenizer);
    });
    if (parts.every((part) => typeof part === "string")) {
      const text = parts.join("");
      if (text !== "") texts.push(text);
    } else {
      // Control tokens mixed with text: the whole trigger as the tokens it is spelled with.
      const tokens = parts.every((part) => typeof part !== "string") ? parts : trigger.tokenize(tokenizer);
      if (tokens.length > 0) tokenRuns.push(tokens);
    }
  }
  return { tokenRuns, texts };
}

/** The length of the trigger run the generated tokens end with, or 0. */
export function endingTokenRunLength(tokens: readonly Token[], runs: readonly Token[][]): number {
  const run = runs.find(
    (run) =>
      run.length <= tokens.length &&
      run.every((token, index) => tokens[tokens.length - run.length + index] === token),
  );
  return run?.length ?? 0;
}

/** Where the first text trigger starts in the text, or -1. */
export function textTriggerIndex(text: string, texts: readonly string[]): number {
  let first = -1;
  for (const trigger of texts) {
    const index = text.indexOf(trigger);
    if (index !== -1 && (first === -1 || index < first)) first = index;
  }
  return first;
}

/**
 * How many characters at the end of the text could be the start of a text trigger: they are held
 * back from streaming until the next tokens show whether the trigger completes.
 */
export function pendingTriggerLength(text: string, texts: readonly string[]): number {
  let longest = 0;
  for (const trigger of texts) {
    for (let length = Math.min(trigger.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(trigger.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}
