export { bytesToTokenText, tokenTextToBytes, byteToTokenChar, tokenCharToByte } from "./byteUnicode.js";
export { pretokenize, PRE_TOKENIZER, QWEN2_PATTERN } from "./pretokenize.js";
export { learnBpe, type LearnBpeOptions, type LearnedBpe } from "./learnBpe.js";
export { BpeTokenizer, type BpeVocabulary, type EncodeOptions } from "./bpeTokenizer.js";
export type { SpecialToken } from "./specialTokens.js";
export { tokenizerMetadata, TokenType, type TokenizerMetadata } from "./tokenizerMetadata.js";
