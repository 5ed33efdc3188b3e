import type { BpeVocabulary } from "./bpeTokenizer.js";

/** llama.cpp token types (gguf-py TokenType). */
export const TokenType = {
  NORMAL: 1,
  CONTROL: 3,
  UNUSED: 5,
} as const;

export interface TokenizerMetadata {
  /** tokenizer.ggml.tokens */
  tokens: string[];
  /** tokenizer.ggml.token_type */
  tokenTypes: number[];
  /** tokenizer.ggml.merges, each "left right" */
  merges: string[];
}

/**
 * The GGUF tokenizer arrays for a vocabulary (use with tokenizer.ggml.model = "gpt2" and
 * tokenizer.ggml.pre = PRE_TOKENIZER). Special tokens become CONTROL entries at their ids; ids
 * between the normal tokens and the highest special id that nothing claims are filled with
 * "[PAD<id>]" UNUSED entries, as llama.cpp's own converter pads vocabularies.
 */
export function tokenizerMetadata({ tokens, merges, specialTokens }: BpeVocabulary): TokenizerMetadata {
  const size = Math.max(tokens.length, ...specialTokens.map(({ id }) => id + 1));
  const texts: string[] = [...tokens];
  const types: number[] = tokens.map(() => TokenType.NORMAL);
  for (let id = tokens.length; id < size; id++) {
    texts.push(`[PAD${id}]`);
    types.push(TokenType.UNUSED);
  }
  for (const { text, id } of specialTokens) {
    if (id < tokens.length || types[id] !== TokenType.UNUSED)
      throw new Error(`special token id ${id} is taken`);
    texts[id] = text;
    types[id] = TokenType.CONTROL;
  }
  return { tokens: texts, tokenTypes: types, merges: merges.map(([left, right]) => `${left} ${right}`) };
}
