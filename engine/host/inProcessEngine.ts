import type { LlamaModel } from "node-llama-cpp";
import { CompletionEngine, type CompletionRequest, type CompletionResult } from "../completion/index.js";
import { LlamaRuntime } from "../runtime/index.js";
import { ModelResolver, loadCatalog, resolveVariant } from "../catalog/index.js";
import type { CatalogVariantRequest, ChunkListener, CoopEngine, EngineMemory, EngineStats, ProgressListener, VariantSpec, VariantState } from "./engineApi.js";

interface LoadedVariant {
  spec: VariantSpec;
  runtime: LlamaRuntime;
  models: LlamaModel[];
  completion: CompletionEngine;
  state: VariantState;
}

/** The engine running node-llama-cpp in this process. Swapping the variant disposes all the old one owned. */
export class InProcessEngine implements CoopEngine {
  private current: LoadedVariant | undefined;
  private loading: Promise<VariantState> | undefined;

  constructor(private readonly options: { onLog?: (level: string, message: string) => void } = {}) {}

  async loadVariant(spec: VariantSpec, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState> {
    const previous = this.loading ?? Promise.resolve(undefined);
    const load = previous.catch(() => undefined).then(() => this.replaceVariant(spec, signal, onProgress));
    this.loading = load;
    try {
      return await load;
    } finally {
      if (this.loading === load) this.loading = undefined;
    }
  }

  async loadCatalogVariant(request: CatalogVariantRequest, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState> {
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
    return this.loadVariant(
      {
        id: request.variantId,
        target: resolved.target,
        draft: resolved.draft,
        adapters: resolved.adapters.map((adapter) => ({ path: adapter.filePath, scale: adapter.scale })),
        gpu: request.gpu,
        threads: request.threads,
        contextSize: Math.min(resolved.targetModel.contextLength ?? 4096, 8192),
      },
      signal,
      onProgress,
    );
  }

  async complete(request: CompletionRequest, signal?: AbortSignal, onChunk?: ChunkListener): Promise<CompletionResult> {
    if (this.loading) await this.loading.catch(() => undefined);
    if (!this.current) throw new Error("No model variant is loaded");
    return this.current.completion.complete(request, signal, onChunk);
  }

  async stats(): Promise<EngineStats> {
    const stats = this.current?.completion.stats;
    return {
      completions: stats?.requests ?? 0,
      acceptanceRate: stats?.acceptanceRate,
      tokensPerSecond: stats?.tokensPerSecond,
      sequencesInUse: this.current?.completion.sequencesInUse ?? 0,
    };
  }

  async memory(): Promise<EngineMemory> {
    const usage = process.memoryUsage();
    return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
  }

  async dispose(): Promise<void> {
    await this.loading?.catch(() => undefined);
    await this.unload();
  }

  private async replaceVariant(spec: VariantSpec, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState> {
    await this.unload();
    const runtime = await LlamaRuntime.create({ gpu: spec.gpu, threads: spec.threads, onLog: this.options.onLog });
    const models: LlamaModel[] = [];
    try {
      const loading = (what: string) => (fraction: number) => onProgress?.({ phase: "load", fraction, message: `loading the ${what} model` });
      const target = await runtime.loadModel(spec.target, { signal, onProgress: loading("target") });
      models.push(target.model);
      const draft = spec.draft ? await runtime.loadModel(spec.draft, { signal, onProgress: loading("draft") }) : undefined;
      if (draft) models.push(draft.model);
      const completion = await CompletionEngine.create(
        runtime,
        { target: target.model, draft: draft?.model },
        {
          variant: spec.id,
          speculative: draft !== undefined,
          contextSize: spec.contextSize ?? 2048,
          adapters: spec.adapters?.map((adapter) => ({ filePath: adapter.path, scale: adapter.scale })),
        },
      );
      const state: VariantState = { id: spec.id, onGpu: target.onGpu, speculative: completion.speculative, notices: [...runtime.notices] };
      this.current = { spec, runtime, models, completion, state };
      return state;
    } catch (error) {
      for (const model of models.reverse()) await model.dispose();
      await runtime.dispose();
      throw error;
    }
  }

  private async unload(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    await current.completion.dispose();
    // The draft before the target: a draft still running against a disposed target throws.
    for (const model of current.models.reverse()) await model.dispose();
    await current.runtime.dispose();
  }
}
