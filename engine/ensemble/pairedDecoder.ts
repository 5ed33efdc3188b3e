import type { Token } from "node-llama-cpp";
import type { TokenDecoder } from "../completion/index.js";
import type { PairedContexts } from "./pairedContexts.js";
import { decodeWithTwoModels, type ChooseToken } from "./twoModelDecoding.js";

/**
 * A token decoder over two models: each token is `choose`n from both models' next-token
 * distributions (contrastive decoding, a token ensemble). Decodings take turns on the pair.
 */
export class PairedDecoder implements TokenDecoder {
  constructor(
    private readonly contexts: PairedContexts,
    private readonly choose: ChooseToken,
  ) {}

  async *decode(prompt: readonly Token[], signal: AbortSignal): AsyncGenerator<Token, void, void> {
    const { pair, release } = await this.contexts.acquire(signal);
    try {
      for await (const token of decodeWithTwoModels(pair, prompt, this.choose)) {
        if (signal.aborted) return;
        yield token;
      }
    } finally {
      release();
    }
  }
}
