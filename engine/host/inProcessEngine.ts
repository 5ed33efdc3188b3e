import type { LlamaModel } from "node-llama-cpp";
import { ChatResponder } from "../chat/index.js";
import { CompletionEngine } from "../completion/index.js";
import { WorkspaceCooperators } from "../cooperators/index.js";
import { completeChecked } from "../repair/index.js";
import { downloadVariantModels } from "./downloadVariantModels.js";
import { LlamaRuntime } from "../runtime/index.js";
import { ModelResolver, loadCatalog, resolveVariant } from "../catalog/index.js";
import type {
  CatalogVariantRequest,
  ChatEventListener,
  ChunkListener,
  DownloadVariantRequest,
  CoopEngine,
  EngineChatAnswer,
  EngineChatRequest,
  EngineCompletion,
  EngineCompletionRequest,
  EngineMemory,
  EngineStats,
  ProgressListener,
  VariantSpec,
  VariantState,
  WorkspaceRequest,
} from "./engineApi.js";

/** Tokens of retrieved workspace code in a completion prompt. */
const contextBudgetTokens = 512;

interface LoadedVariant {
  spec: VariantSpec;
  runtime: LlamaRuntime;
  models: LlamaModel[];
  completion: CompletionEngine;
  chat: ChatResponder;
  state: VariantState;
}

/** The engine running node-llama-cpp in this process. Swapping the variant disposes all the old one owned. */
export class InProcessEngine implements CoopEngine {
  private current: LoadedVariant | undefined;
  private loading: Promise<VariantState> | undefined;
  private cooperators: WorkspaceCooperators | undefined;

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

  async complete(request: EngineCompletionRequest, signal?: AbortSignal, onChunk?: ChunkListener): Promise<EngineCompletion> {
    if (this.loading) await this.loading.catch(() => undefined);
    if (!this.current) throw new Error("No model variant is loaded");
    const { completion } = this.current;
    const cooperators = this.cooperators;
    // A cached or typed-through answer needs no retrieval; it is still checked below.
    const generates = completion.answerWithoutGenerating(request) === undefined;
    const chunks = request.chunks ?? (cooperators && generates ? await cooperators.contextFor(request, request.cursorLine, contextBudgetTokens) : []);
    const grounded = { ...request, chunks };
    if (!request.check || !cooperators) {
      return { ...(await completion.complete(grounded, signal, onChunk)), contextChunks: chunks.length };
    }
    const checked = await completeChecked(completion, grounded, { ...request.check, workspace: cooperators.detectorWorkspace, path: request.path }, signal);
    const reported = checked.repaired ? (checked.repairedFindings ?? []) : checked.findings;
    return {
      ...checked.result,
      contextChunks: chunks.length,
      check: {
        action: checked.action,
        repaired: checked.repaired,
        findings: reported.map((finding) => ({ kind: finding.kind, name: finding.name, evidence: finding.evidence, suggestions: finding.suggestions })),
      },
    };
  }

  async chat(request: EngineChatRequest, signal?: AbortSignal, onEvent?: ChatEventListener): Promise<EngineChatAnswer> {
    if (this.loading) await this.loading.catch(() => undefined);
    if (!this.current) throw new Error("No model variant is loaded");
    return this.current.chat.answer(request, this.cooperators, signal, onEvent);
  }

  downloadVariant(request: DownloadVariantRequest, signal?: AbortSignal, onProgress?: ProgressListener): Promise<{ downloaded: string[]; bytes: number }> {
    return downloadVariantModels(request, signal, onProgress);
  }

  async openWorkspace(request: WorkspaceRequest): Promise<{ files: number }> {
    const opened = await WorkspaceCooperators.open(request.root, request.cacheDir);
    const previous = this.cooperators;
    this.cooperators = opened;
    await previous?.dispose();
    return { files: opened.fileCount };
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
    await this.cooperators?.dispose();
    this.cooperators = undefined;
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
      this.current = { spec, runtime, models, completion, chat: new ChatResponder(completion, this.options.onLog), state };
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
