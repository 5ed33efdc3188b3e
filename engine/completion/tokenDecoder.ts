import type { Token } from "node-llama-cpp";

/**
 * Chooses tokens by another rule than one model's greedy pick (a token ensemble averaging two models,
 * contrastive decoding): yields each token chosen after `prompt`, end-of-generation tokens included,
 * until the consumer stops iterating or the signal aborts.
 */
export interface TokenDecoder {
  decode(prompt: readonly Token[], signal: AbortSignal): AsyncIterable<Token>;
}
