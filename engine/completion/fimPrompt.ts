import type { Token } from "node-llama-cpp";
import type { FimTokens } from "./fimTokens.js";

export interface ContextChunk {
  path: string;
  text: string;
}

export interface FimPromptInput {
  prefix: string;
  suffix: string;
  /** Workspace-relative path of the current file. */
  path: string;
  /** Retrieved context, most useful first. */
  chunks: readonly ContextChunk[];
  projectName: string;
  /** Upper bound on the prompt's tokens. */
  budgetTokens: number;
  /**
   * Tokens kept for the retrieved chunks before the prefix and suffix share the rest (default a third
   * of the budget); what the chunks do not need goes to the code. Without it a long file's prefix took
   * the whole budget and no retrieved code ever reached the prompt.
   */
  contextTokens?: number;
}

/** Tokenizes text as plain text: control-token spellings in user code never become control tokens. */
export type Tokenize = (text: string) => Token[];

export interface FimPrompt {
  tokens: Token[];
  /** How many retrieved chunks made it into the budget. */
  chunksUsed: number;
  prefixTokens: number;
  suffixTokens: number;
}

/**
 * Builds a FIM prompt as tokens, within a budget, nearest text first: the retrieved chunks that fit
 * their share (`contextTokens`) are kept in order, then the prefix keeps its end and the suffix its
 * beginning (prefix gets the larger share) in what is left, and more chunks fill any room the code
 * leaves. With repo/file-separator tokens the repository-level layout of Qwen2.5-Coder is used:
 * `<|repo_name|>name\n<|file_sep|>path\ntext…<|file_sep|>current path\n<|fim_prefix|>…`; without
 * them the chunks are prepended to the prefix as commented context.
 */
export function buildFimPrompt(input: FimPromptInput, fim: FimTokens, tokenize: Tokenize): FimPrompt {
  const budget = Math.max(16, input.budgetTokens);
  const fixed = 3; // prefix, suffix, middle markers
  const repoLevel = fim.repoName !== undefined && fim.fileSeparator !== undefined;
  const repoHeader = repoLevel ? [fim.repoName!, ...tokenize(`${input.projectName}\n`)] : [];
  const fileHeader = repoLevel ? [fim.fileSeparator!, ...tokenize(`${input.path}\n`)] : [];
  const headers = repoHeader.length + fileHeader.length;
  const encoded = input.chunks.map((chunk) =>
    repoLevel
      ? [fim.fileSeparator!, ...tokenize(`${chunk.path}\n${chunk.text}\n`)]
      : tokenize(`// ${chunk.path}\n${chunk.text}\n`),
  );
  const reserved = contextReserve(
    encoded,
    headers,
    Math.min(input.contextTokens ?? Math.floor(budget / 3), budget - fixed),
  );

  const prefixAll = tokenize(input.prefix);
  const suffixAll = tokenize(input.suffix);
  const codeBudget = budget - fixed - reserved;
  const suffixShare = Math.min(suffixAll.length, Math.floor(codeBudget / 4));
  const prefixShare = Math.min(prefixAll.length, codeBudget - suffixShare);
  const suffixTokens = suffixAll.slice(0, Math.min(suffixAll.length, codeBudget - prefixShare));
  const prefixTokens = prefixAll.slice(prefixAll.length - prefixShare);
  let remaining = budget - fixed - prefixTokens.length - suffixTokens.length;

  const context: Token[] = [];
  let chunksUsed = 0;
  if (repoLevel && headers <= remaining) {
    remaining -= headers;
    context.push(...repoHeader);
    for (const tokens of encoded) {
      if (tokens.length > remaining) continue;
      context.push(...tokens);
      remaining -= tokens.length;
      chunksUsed++;
    }
    context.push(...fileHeader);
  } else if (!repoLevel) {
    for (const tokens of encoded) {
      if (tokens.length > remaining) continue;
      context.push(...tokens);
      remaining -= tokens.length;
      chunksUsed++;
    }
  }
  // SPM as Code Llama lays it out: the prefix comes last, so the prompt ends with its last token.
  const code =
    fim.layout === "spm"
      ? [fim.prefix, fim.suffix, ...suffixTokens, fim.middle, ...prefixTokens]
      : [fim.prefix, ...prefixTokens, fim.suffix, ...suffixTokens, fim.middle];
  return {
    // Repository layout: the files before the prefix marker; else the chunks open the prefix.
    tokens: repoLevel ? [...context, ...code] : [fim.prefix, ...context, ...code.slice(1)],
    chunksUsed,
    prefixTokens: prefixTokens.length,
    suffixTokens: suffixTokens.length,
  };
}

/** The tokens the chunks that fit in `cap`, in order, take with their headers (0 without chunks). */
function contextReserve(encoded: readonly Token[][], headers: number, cap: number): number {
  if (encoded.length === 0 || headers > cap) return 0;
  let used = headers;
  for (const tokens of encoded) if (used + tokens.length <= cap) used += tokens.length;
  return used > headers ? used : 0;
}
