import type { LlamaContextSequence, SequenceEvaluateOptions, Token } from "node-llama-cpp";
import type { NodeLlamaCppModule } from "../runtime/index.js";
import { SequenceActivity } from "./sequenceActivity.js";

export interface AdaptivePredictorOptions {
  /** Bounds of the draft length; the current length moves between them with the acceptance rate. */
  minDraft: number;
  maxDraft: number;
  /** Input lookup is used when it predicts at least this many tokens (code often repeats its context). */
  minLookupLength: number;
}

export const defaultAdaptivePredictorOptions: AdaptivePredictorOptions = {
  minDraft: 2,
  maxDraft: 12,
  minLookupLength: 8,
};

/**
 * Predicts the target's next tokens for speculative decoding from two sources: input lookup (copies
 * of what the prompt already contains, nearly free) and the draft model. The target validates every
 * prediction, so this only changes speed, never the output. The draft length grows while predictions
 * are accepted and shrinks to what was accepted when they are refuted.
 */
export function createAdaptivePredictor(
  llama: NodeLlamaCppModule,
  draftSequence: LlamaContextSequence,
  options: AdaptivePredictorOptions = defaultAdaptivePredictorOptions,
) {
  const { DraftSequenceTokenPredictor, InputLookupTokenPredictor, TokenPredictor } = llama;

  class AdaptivePredictor extends TokenPredictor {
    private readonly activity = new SequenceActivity(draftSequence);
    // minConfidence 0: node-llama-cpp's default (0.6) silently stops drafting on a hesitant draft.
    private readonly draft = new DraftSequenceTokenPredictor(this.activity.sequence, {
      minTokens: options.maxDraft,
      maxTokens: options.maxDraft,
      minConfidence: 0,
      // The draft gets its own evaluate options: sharing the target's TokenBias object hangs (3.22.1).
      evaluateOptions: { temperature: 0 },
    });
    private readonly lookup = new InputLookupTokenPredictor({
      patternLength: { min: 2 },
      predictionLength: { max: options.maxDraft },
    });
    private draftLength = options.minDraft;
    /** The part of the last prediction not yet confirmed by the target's accepted tokens. */
    private pending: Token[] = [];

    override reset(params: {
      targetSequence: LlamaContextSequence;
      stateTokens: Token[];
      evaluateOptions: Readonly<SequenceEvaluateOptions>;
    }): Promise<void> {
      this.lookup.reset({ stateTokens: params.stateTokens });
      this.pending = [];
      // The target enforces a grammar on what it accepts; the draft only proposes, and its sequence also
      // holds the prompt, which a grammar for the answer cannot match.
      return this.draft.reset({
        ...params,
        evaluateOptions: { ...params.evaluateOptions, grammarEvaluationState: undefined },
      });
    }

    override updateInputTokens(tokens: Token[]): void {
      this.lookup.updateInputTokens(tokens);
    }

    override pushTokens(tokens: Token[]): void {
      this.adapt(tokens);
      this.lookup.pushTokens(tokens);
      this.draft.pushTokens(tokens);
    }

    override async predictTokens(): Promise<Token[]> {
      const copied = this.lookup.predictTokens();
      const prediction =
        copied.length >= options.minLookupLength
          ? copied.slice(0, options.maxDraft)
          : (await this.draft.predictTokens()).slice(0, this.draftLength);
      this.pending = [...prediction];
      return prediction;
    }

    override stop(untilPredictionsExhausted?: boolean): Promise<void> | void {
      return this.draft.stop(untilPredictionsExhausted);
    }

    override dispose(): Promise<void> | void {
      this.lookup.dispose();
      return this.draft.dispose();
    }

    /**
     * Stops drafting for good and resolves once the draft sequence is idle, so that it can be disposed
     * (the target's generations must have ended first: they would start the draft again).
     */
    async drain(): Promise<void> {
      this.draft.dispose();
      this.lookup.dispose();
      await this.activity.settled();
    }

    /** Accepted tokens arrive one push at a time: grow when a whole prediction held, halve at a miss. */
    private adapt(accepted: Token[]): void {
      for (const token of accepted) {
        if (this.pending.length === 0) return;
        if (this.pending[0] !== token) {
          this.draftLength = Math.max(options.minDraft, Math.floor(this.draftLength / 2));
          this.pending = [];
          return;
        }
        this.pending.shift();
        if (this.pending.length === 0) this.draftLength = Math.min(options.maxDraft, this.draftLength + 2);
      }
    }
  }

  return new AdaptivePredictor();
}
