import { BpeTokenizer, PRE_TOKENIZER, learnBpe, tokenizerMetadata } from "./tokenizer/index.js";
import { specialTokenRoles, specialTokenTexts, type SpecialTokenRole } from "./specialTokens.js";

export interface Vocabulary {
  tokenizer: BpeTokenizer;
  size: number;
  /**
   * Token texts (GPT-2 byte-level form), token types (1 normal, 3 control) and merges, as GGUF stores them.
   */
  tokens: string[];
  tokenTypes: number[];
  merges: string[];
  preTokenizer: string;
  special: Record<SpecialTokenRole, number>;
  isSpecial(id: number): boolean;
}

/**
 * A byte-level BPE vocabulary learned from code: the 256 byte tokens, merges up to `size`, and the
 * control tokens last (as in Qwen). Deterministic for the same texts.
 */
export function learnVocabulary(texts: string[], size: number): Vocabulary {
  const learned = learnBpe(texts, { vocabSize: size, reservedTokens: specialTokenRoles.length });
  const special = {} as Record<SpecialTokenRole, number>;
  const specialTokens = specialTokenRoles.map((role, index) => {
    const id = learned.tokens.length + index;
    special[role] = id;
    return { text: specialTokenTexts[role], id };
  });
  const metadata = tokenizerMetadata({ tokens: learned.tokens, merges: learned.merges, specialTokens });
  const tokenizer = new BpeTokenizer({ tokens: learned.tokens, merges: learned.merges, specialTokens });
  const firstSpecial = learned.tokens.length;
  return {
    tokenizer,
    size: metadata.tokens.length,
    tokens: metadata.tokens,
    tokenTypes: metadata.tokenTypes,
    merges: metadata.merges,
    preTokenizer: PRE_TOKENIZER,
    special,
    isSpecial: (id) => id >= firstSpecial,
  };
}
