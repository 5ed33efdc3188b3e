import type { LlamaModel, Token } from "node-llama-cpp";
import { CoopError, coopErrorCodes } from "../errors/index.js";

/** The model has no fill-in-the-middle tokens, so it cannot complete code inline (pick another variant). */
export class NoFillInMiddleError extends CoopError {
  constructor(model: string) {
    super(
      coopErrorCodes.noFillInMiddle,
      `${model} has no fill-in-the-middle tokens; it cannot complete code inline`,
    );
    this.name = "NoFillInMiddleError";
  }
}

/** The control tokens a model uses for fill-in-the-middle and repository-level context. */
export interface FimTokens {
  prefix: Token;
  suffix: Token;
  middle: Token;
  /** Qwen-style repository layout: `<|repo_name|>` and `<|file_sep|>`, when the model has them. */
  repoName?: Token;
  fileSeparator?: Token;
}

/** Reads the FIM tokens from the model's GGUF metadata; undefined when it cannot fill in the middle. */
export function fimTokensOf(model: LlamaModel): FimTokens | undefined {
  const { prefix, suffix, middle } = model.tokens.infill;
  if (prefix === null || suffix === null || middle === null) return undefined;
  const tokenizer = model.fileInfo.metadata.tokenizer.ggml as Record<string, unknown> | undefined;
  const id = (key: string): Token | undefined => {
    const value = tokenizer?.[key];
    return typeof value === "number" ? (value as Token) : undefined;
  };
  return { prefix, suffix, middle, repoName: id("fim_rep_token_id"), fileSeparator: id("fim_sep_token_id") };
}
