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
 * Builds a FIM prompt as tokens, within a budget, nearest text first: the prefix keeps its end, the
 * suffix its beginning (prefix gets the larger share), and retrieved chunks fill what is left in
 * order. With repo/file-separator tokens the repository-level layout of Qwen2.5-Coder is used:
 * `<|repo_name|>name\n<|file_sep|>path\ntext…<|file_sep|>current path\n<|fim_prefix|>…`; without
 * them the chunks are prepended to the prefix as commented context.
 */
export function buildFimPrompt(input: FimPromptInput, fim: FimTokens, tokenize: Tokenize): FimPrompt {
  const budget = Math.max(16, input.budgetTokens);
  const fixed = 3; // prefix, suffix, middle markers
  const prefixAll = tokenize(input.prefix);
  const suffixAll = tokenize(input.suffix);
  const codeBudget = budget - fixed;
  const suffixShare = Math.min(suffixAll.length, Math.floor(codeBudget / 4));
  const prefixShare = Math.min(prefixAll.length, codeBudget - suffixShare);
  const suffixTokens = suffixAll.slice(0, Math.min(suffixAll.length, codeBudget - prefixShare));
  const prefixTokens = prefixAll.slice(prefixAll.length - prefixShare);
  let remaining = budget - fixed - prefixTokens.length - suffixTokens.length;

  const repoLevel = fim.repoName !== undefined && fim.fileSeparator !== undefined;
  const header: Token[] = [];
  let chunksUsed = 0;
  if (repoLevel) {
    const repoHeader = [fim.repoName!, ...tokenize(`${input.projectName}\n`)];
    const fileHeader = [fim.fileSeparator!, ...tokenize(`${input.path}\n`)];
    if (repoHeader.length + fileHeader.length <= remaining) {
      remaining -= repoHeader.length + fileHeader.length;
      header.push(...repoHeader);
      for (const chunk of input.chunks) {
        const tokens = [fim.fileSeparator!, ...tokenize(`${chunk.path}\n${chunk.text}\n`)];
        if (tokens.length > remaining) continue;
        header.push(...tokens);
        remaining -= tokens.length;
        chunksUsed++;
      }
      header.push(...fileHeader);
    }
    return {
      tokens: [...header, fim.prefix, ...prefixTokens, fim.suffix, ...suffixTokens, fim.middle],
      chunksUsed,
      prefixTokens: prefixTokens.length,
      suffixTokens: suffixTokens.length,
    };
  }

  const context: Token[] = [];
  for (const chunk of input.chunks) {
    const tokens = tokenize(`// ${chunk.path}\n${chunk.text}\n`);
    if (tokens.length > remaining) continue;
    context.push(...tokens);
    remaining -= tokens.length;
    chunksUsed++;
  }
  return {
    tokens: [fim.prefix, ...context, ...prefixTokens, fim.suffix, ...suffixTokens, fim.middle],
    chunksUsed,
    prefixTokens: prefixTokens.length,
    suffixTokens: suffixTokens.length,
  };
}
