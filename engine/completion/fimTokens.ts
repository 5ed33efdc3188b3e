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
  /**
   * "psm" (prefix, suffix, middle: generation follows the middle marker) or "spm" (suffix first, the
   * prefix last: generation continues the prefix's last token), as the model's `coop.fim.layout` says.
   */
  layout: FimLayout;
}

export type FimLayout = "psm" | "spm";

/** Reads the FIM tokens from the model's GGUF metadata; undefined when it cannot fill in the middle. */
export function fimTokensOf(model: LlamaModel): FimTokens | undefined {
  const { prefix, suffix, middle } = model.tokens.infill;
  if (prefix === null || suffix === null || middle === null) return undefined;
  const tokenizer = model.fileInfo.metadata.tokenizer.ggml as Record<string, unknown> | undefined;
  const id = (key: string): Token | undefined => {
    const value = tokenizer?.[key];
    return typeof value === "number" ? (value as Token) : undefined;
  };
  const coop = (model.fileInfo.metadata as { coop?: { fim?: { layout?: unknown } } }).coop;
  return {
    prefix,
    suffix,
    middle,
    repoName: id("fim_rep_token_id"),
    fileSeparator: id("fim_sep_token_id"),
    layout: coop?.fim?.layout === "spm" ? "spm" : "psm",
  };
}
