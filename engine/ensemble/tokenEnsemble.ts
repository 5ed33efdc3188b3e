import type { LlamaModel } from "node-llama-cpp";
import type { TokenDecoder } from "../completion/index.js";
import type { LlamaRuntime } from "../runtime/index.js";
import { EnsembleSettingsError } from "./ensembleSettingsError.js";
import { PairedContexts } from "./pairedContexts.js";
import { PairedDecoder } from "./pairedDecoder.js";
import { assertSameTokenizer } from "./sameTokenizer.js";
import { ensembleChoice } from "./tokenChoice.js";

/**
 * A token-level ensemble variant, resolved to files: the variant's target (with its adapters) and a
 * partner model that shares its tokenizer; each token is the argmax of their distributions averaged
 * with these weights. The catalog maps its variant kind to this.
 */
export interface TokenEnsembleSpec {
  /** Weight of the variant's own target in the average (>= 0). */
  targetWeight: number;
  partner: {
    /** The partner's model file. */
    model: string;
    /** LoRA adapters applied to the partner at run time. */
    adapters?: { path: string; scale: number }[];
    /** Its weight in the average (>= 0; the two weights are not both 0). */
    weight: number;
  };
}

export function validateTokenEnsembleSpec(spec: TokenEnsembleSpec): void {
  const weights = [spec.targetWeight, spec.partner.weight];
  if (typeof spec.partner.model !== "string" || spec.partner.model === "")
    throw new EnsembleSettingsError("a token ensemble needs its partner's model file");
  if (
    weights.some((weight) => typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) ||
    weights.every((weight) => weight === 0)
  ) {
    throw new EnsembleSettingsError(
      `a token ensemble's weights must be numbers >= 0, not both 0 (got ${weights.join(" and ")})`,
    );
  }
}

/**
 * The partner model of a token-ensemble variant, loaded, and the decoder that averages it with the target.
 */
export class TokenEnsemble {
  private constructor(
    private readonly partner: LlamaModel,
    private readonly contexts: PairedContexts,
    readonly decoder: TokenDecoder,
  ) {}

  /**
   * Checks that the partner shares the target's tokenizer (before loading it: a mismatch fails fast
   * with a TokenizerMismatchError), loads it and prepares the pair of contexts (created on first use).
   */
  static async load(
    runtime: LlamaRuntime,
    target: { model: LlamaModel; path: string; adapters?: { path: string; scale: number }[] },
    spec: TokenEnsembleSpec,
    options: { contextSize: number; signal?: AbortSignal },
  ): Promise<TokenEnsemble> {
    validateTokenEnsembleSpec(spec);
    await assertSameTokenizer(target.path, spec.partner.model);
    const { model: partner } = await runtime.loadModel(spec.partner.model, { signal: options.signal });
    const adapters = (list?: { path: string; scale: number }[]) =>
      list?.map((adapter) => ({ filePath: adapter.path, scale: adapter.scale }));
    const contexts = new PairedContexts(
      runtime,
      {
        primary: { model: target.model, adapters: adapters(target.adapters) },
        secondary: { model: partner, adapters: adapters(spec.partner.adapters) },
      },
      options.contextSize,
    );
    const decoder = new PairedDecoder(contexts, (primary, secondary) =>
      ensembleChoice([
        { probabilities: primary, weight: spec.targetWeight },
        { probabilities: secondary, weight: spec.partner.weight },
      ]),
    );
    return new TokenEnsemble(partner, contexts, decoder);
  }

  /** Frees the contexts, then the partner model. */
  async dispose(): Promise<void> {
    await this.contexts.dispose();
    await this.partner.dispose();
  }
}
