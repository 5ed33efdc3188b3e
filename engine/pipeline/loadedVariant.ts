import type { CompletionGenerator, ScoringGenerator } from "../completion/index.js";
import type { ContextCompressor } from "../compression/index.js";
import type { WorkspaceCooperators } from "../cooperators/index.js";
import type { Cascade } from "../ensemble/index.js";
import type {
  ChatEventListener,
  EngineChatAnswer,
  EngineChatRequest,
  EngineStats,
  VariantState,
} from "../host/contract/index.js";
import type { VariantCapabilities } from "./capabilities.js";

/**
 * A variant ready to answer, wherever its model runs: what the pipeline needs of it, and what it can
 * do. The local loader and the remote one each build one; the pipeline never asks which it has.
 */
export interface LoadedVariant {
  readonly id: string;
  readonly state: VariantState;
  /** Where the model runs, in words ("this process", "llama-server at http://gpu-box:8080"). */
  readonly where: string;
  readonly capabilities: VariantCapabilities;
  /** The target's completions (cached, typed through, generated). */
  readonly completion: CompletionGenerator;
  /** The target as a judge of candidate texts; present with the `likelihood` capability. */
  readonly scoring?: ScoringGenerator;
  /** Compresses retrieved context over budget by the draft's self-information (`selfInformation`). */
  readonly compressor?: ContextCompressor;
  /** The draft answering alone, and the cascade over draft and target (`draftRouting`). */
  readonly draftOnly?: CompletionGenerator;
  readonly cascade?: Cascade;
  /** Tokens of `text` for the router (exact locally, estimated for a server). */
  countTokens(text: string): number;
  chat(
    request: EngineChatRequest,
    cooperators: WorkspaceCooperators | undefined,
    signal: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer>;
  /** The variant's part of the engine's stats (everything but the request counts the pipeline keeps). */
  stats(): Omit<EngineStats, "sequencesInUse"> & { sequencesInUse?: number };
  /** Frees what the variant holds; requests on it have been drained before. */
  dispose(): Promise<void>;
}
