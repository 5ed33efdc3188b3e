import type { LlamaModel } from "node-llama-cpp";
import { ModelResolver, loadCatalog, resolveVariant } from "../catalog/index.js";
import { ChatResponder } from "../chat/index.js";
import { CompletionEngine } from "../completion/index.js";
import { createDraftCompressor, type ContextCompressor } from "../compression/index.js";
import { Cascade, PairedContexts, TokenEnsemble } from "../ensemble/index.js";
import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import type {
  CatalogVariantRequest,
  ProgressListener,
  VariantSpec,
  VariantState,
} from "../host/contract/index.js";
import { LlamaRuntime } from "../runtime/index.js";
import type { WarmingDraft } from "./completionPaths.js";
import type { LoadedVariant } from "./loadedVariant.js";

export type EngineLog = (level: string, message: string) => void;

export interface LocalLoadOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onLog?: EngineLog;
  /** Called with the draft answering alone once it is loaded, before the target (routed requests). */
  onDraftReady?: (draft: WarmingDraft) => void;
}

/** A variant combines parts that cannot go together; the message says which and what to change. */
export class InvalidVariantError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.invalidVariant, message);
    this.name = "InvalidVariantError";
  }
}

/** A catalog variant as files: built, merged or found where the engine runs. */
export async function resolveLocalSpec(
  request: CatalogVariantRequest,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<VariantSpec> {
  const catalog = await loadCatalog(request.catalogFiles);
  const resolver = new ModelResolver({ cacheDir: request.cacheDir, modelsDir: request.modelsDir });
  const resolved = await resolveVariant(catalog, request.variantId, resolver, {
    signal,
    onMergeProgress: (merge) =>
      onProgress?.({
        phase: "merge",
        fraction: merge.bytesTotal > 0 ? merge.bytesWritten / merge.bytesTotal : undefined,
        message: `merging ${request.variantId}: tensor ${merge.tensorsDone} of ${merge.tensorCount}`,
      }),
  });
  return {
    id: request.variantId,
    target: resolved.target,
    draft: resolved.draft,
    adapters: resolved.adapters.map((adapter) => ({ path: adapter.filePath, scale: adapter.scale })),
    gpu: request.gpu,
    threads: request.threads,
    contextSize: Math.min(resolved.targetModel.contextLength ?? 4096, 8192),
    tokenEnsemble: resolved.tokenEnsemble,
  };
}

/**
 * Loads a variant's models into node-llama-cpp in this process: the draft first (it can answer routed
 * requests while the target loads), then the target, the completion engine over both, and what the
 * ensembles need. A failure frees everything loaded so far.
 */
export async function loadLocalVariant(
  spec: VariantSpec,
  options: LocalLoadOptions = {},
): Promise<LoadedVariant> {
  const { signal, onProgress, onLog } = options;
  if (spec.tokenEnsemble && spec.draft) {
    throw new InvalidVariantError(
      `Variant ${spec.id} is a token ensemble and cannot also have a draft model: the draft would speculate for the target alone, not for the ensemble`,
    );
  }
  const runtime = await LlamaRuntime.create({ gpu: spec.gpu, threads: spec.threads, onLog });
  const models: LlamaModel[] = [];
  let draftOnly: CompletionEngine | undefined;
  let tokenEnsemble: TokenEnsemble | undefined;
  let compressor: ContextCompressor | undefined;
  try {
    const loading = (what: string) => (fraction: number) =>
      onProgress?.({ phase: "load", fraction, message: `loading the ${what} model` });
    const draft = spec.draft
      ? await runtime.loadModel(spec.draft, { signal, onProgress: loading("draft") })
      : undefined;
    if (draft) {
      models.push(draft.model);
      draftOnly = await draftOnlyEngine(runtime, draft.model, spec, onLog);
      if (draftOnly) options.onDraftReady?.({ completion: draftOnly, countTokens: tokenCounter(draftOnly) });
    }
    const target = await runtime.loadModel(spec.target, { signal, onProgress: loading("target") });
    // Kept target first, so disposing in reverse frees the draft before the target.
    models.unshift(target.model);
    const contextSize = spec.contextSize ?? 2048;
    const adapters = spec.adapters?.map((adapter) => ({ filePath: adapter.path, scale: adapter.scale }));
    if (spec.tokenEnsemble) {
      tokenEnsemble = await TokenEnsemble.load(
        runtime,
        { model: target.model, path: spec.target, adapters: spec.adapters },
        spec.tokenEnsemble,
        { contextSize, signal },
      );
    }
    const completion = await CompletionEngine.create(
      runtime,
      { target: target.model, draft: draft?.model },
      {
        variant: spec.id,
        speculative: draft !== undefined,
        contextSize,
        adapters,
        chatSequences: 1,
        ...(tokenEnsemble ? { decoder: tokenEnsemble.decoder } : {}),
      },
    );
    // Its own context on the draft: it never touches the completion engine's sequences.
    compressor = draft ? await createDraftCompressor(runtime, draft.model) : undefined;
    const state: VariantState = {
      id: spec.id,
      onGpu: target.onGpu,
      speculative: completion.speculative,
      notices: [...runtime.notices],
    };
    const cascade = draftOnly ? new Cascade({ draft: draftOnly, target: completion }) : undefined;
    const contrastivePair = draft
      ? new PairedContexts(
          runtime,
          { primary: { model: target.model, adapters }, secondary: { model: draft.model } },
          contextSize,
        )
      : undefined;
    const chat = new ChatResponder(completion, onLog, { contrastivePair, decoder: tokenEnsemble?.decoder });
    const heldDraft = draftOnly;
    const heldEnsemble = tokenEnsemble;
    const heldCompressor = compressor;
    return {
      id: spec.id,
      state,
      where: "this process",
      capabilities: {
        grammar: true,
        likelihood: true,
        draftRouting: heldDraft !== undefined,
        contrastiveChat: contrastivePair !== undefined,
        selfInformation: heldCompressor !== undefined,
        serverSpeculation: false,
      },
      completion,
      scoring: completion,
      ...(heldCompressor ? { compressor: heldCompressor } : {}),
      ...(heldDraft ? { draftOnly: heldDraft } : {}),
      ...(cascade ? { cascade } : {}),
      countTokens: tokenCounter(heldDraft ?? completion),
      chat: (request, cooperators, chatSignal, onEvent) =>
        chat.answer(request, cooperators, chatSignal, onEvent),
      stats: () => {
        const stats = completion.stats;
        return {
          completions: stats.requests,
          acceptanceRate: stats.acceptanceRate,
          tokensPerSecond: stats.tokensPerSecond,
          sequencesInUse: completion.sequencesInUse,
          ...(cascade?.escalationRate === undefined ? {} : { cascadeEscalationRate: cascade.escalationRate }),
        };
      },
      dispose: async () => {
        await heldDraft?.dispose();
        await completion.dispose();
        // Before the draft model it reads with.
        await heldCompressor?.dispose();
        // After the completion engine, which aborted the answers still holding the pairs.
        await contrastivePair?.dispose();
        await heldEnsemble?.dispose();
        // The draft before the target: a draft still running against a disposed target throws.
        for (const model of models.reverse()) await model.dispose();
        await runtime.dispose();
      },
    };
  } catch (error) {
    await compressor?.dispose();
    await tokenEnsemble?.dispose();
    await draftOnly?.dispose();
    for (const model of models.reverse()) await model.dispose();
    await runtime.dispose();
    throw error;
  }
}

/** Counts tokens as `engine`'s model tokenizes plain text (the router's context length). */
function tokenCounter(engine: CompletionEngine): (text: string) => number {
  return (text) => engine.model.tokenize(text, false).length;
}

/** The draft as a completion engine of its own, or undefined when it cannot complete code (no FIM tokens). */
async function draftOnlyEngine(
  runtime: LlamaRuntime,
  draft: LlamaModel,
  spec: VariantSpec,
  onLog?: EngineLog,
): Promise<CompletionEngine | undefined> {
  try {
    return await CompletionEngine.create(
      runtime,
      { target: draft },
      { variant: `${spec.id}#draft`, speculative: false, contextSize: spec.contextSize ?? 2048 },
    );
  } catch (error) {
    onLog?.("warn", `the draft cannot answer on its own: ${describeError(error)}`);
    return undefined;
  }
}
