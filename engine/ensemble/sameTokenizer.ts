import { CoopError, coopErrorCodes } from "../errors/index.js";
import { basename } from "node:path";
import { openGguf, type GgufFile } from "../gguf/index.js";

/** A model file whose tokenizer differs from another's where they must share one (a token ensemble). */
export class TokenizerMismatchError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.tokenizerMismatch, message);
    this.name = "TokenizerMismatchError";
  }
}

/** What makes two tokenizers the same: the same algorithm, vocabulary, merges and special tokens. */
const tokenizerKeys = [
  "tokenizer.ggml.model",
  "tokenizer.ggml.pre",
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.token_type",
  "tokenizer.ggml.merges",
  "tokenizer.ggml.bos_token_id",
  "tokenizer.ggml.eos_token_id",
  "tokenizer.ggml.eot_token_id",
  "tokenizer.ggml.padding_token_id",
  "tokenizer.ggml.fim_pre_token_id",
  "tokenizer.ggml.fim_suf_token_id",
  "tokenizer.ggml.fim_mid_token_id",
];

/**
 * Throws a TokenizerMismatchError naming the first difference when the two GGUF models do not share
 * a tokenizer: averaging their distributions token by token would then mix unrelated tokens.
 */
export async function assertSameTokenizer(firstPath: string, secondPath: string): Promise<void> {
  const first = await openGguf(firstPath);
  try {
    const second = await openGguf(secondPath);
    try {
      const difference = tokenizerDifference(first, second);
      if (difference !== undefined) {
        throw new TokenizerMismatchError(
          `${basename(firstPath)} and ${basename(secondPath)} do not share a tokenizer (${difference}); a token-level ensemble needs models with the same tokenizer`,
        );
      }
    } finally {
      await second.close();
    }
  } finally {
    await first.close();
  }
}

function tokenizerDifference(first: GgufFile, second: GgufFile): string | undefined {
  for (const key of tokenizerKeys) {
    const a = first.get(key);
    const b = second.get(key);
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return `${key} has ${a.length} entries vs ${b.length}`;
      const index = a.findIndex((value, position) => !sameValue(value, b[position]));
      if (index !== -1)
        return `${key} differs at entry ${index}: ${preview(a[index])} vs ${preview(b[index])}`;
    } else if (!sameValue(a, b)) {
      return `${key} is ${preview(a)} vs ${preview(b)}`;
    }
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((value, index) => sameValue(value, b[index]));
  return a === b;
}

function preview(value: unknown): string {
  if (value === undefined) return "absent";
  // JSON.stringify is typed as always returning a string, but gives undefined for a function or symbol.
  const json = typeof value === "bigint" ? value.toString() : (JSON.stringify(value) as string | undefined);
  const text = json ?? typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
