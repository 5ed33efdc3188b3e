import type { LlamaModel } from "node-llama-cpp";
import { ChatResponder } from "../../chat/index.js";
import { CompletionEngine, wantsMultiline } from "../../completion/index.js";
import { WorkspaceCooperators } from "../../cooperators/index.js";
import { completeChecked } from "../../repair/index.js";
import { applyPolicy, detect, type Finding } from "../../detector/index.js";
import {
  Cascade,
  PairedContexts,
  TokenEnsemble,
  bestCompletionOfN,
  defaultCascadeMinConfidence,
  routeRequest,
  validateBestOfN,
  type BestOfNOutcome,
  type EnsembleOutcome,
} from "../../ensemble/index.js";
import { downloadVariantModels } from "./downloadVariantModels.js";
import { VariantLifecycle, untilSettled } from "./variantLifecycle.js";
import { boundChatRequest, boundCompletionRequest, withTrimmedInput } from "./requestLimits.js";
import { LlamaRuntime } from "../../runtime/index.js";
import { ModelResolver, loadCatalog, resolveVariant } from "../../catalog/index.js";
import type {
  CatalogVariantRequest,
  ChatEventListener,
  ChunkListener,
  DownloadVariantRequest,
  CompletionCheck,
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
} from "../contract/engineApi.js";

/** Tokens of retrieved workspace code in a completion prompt. */
const contextBudgetTokens = 512;

interface LoadedVariant {
  spec: VariantSpec;
  runtime: LlamaRuntime;
  models: LlamaModel[];
  completion: CompletionEngine;
  chat: ChatResponder;
  state: VariantState;
  /** The draft answering alone (router, cascade); absent without a draft. */
  draftOnly?: CompletionEngine;
  cascade?: Cascade;
  /** The target and the draft for contrastive chat answers (contexts created on first use). */
  contrastivePair?: PairedContexts;
  /** A token-ensemble variant's partner model and decoder. */
  tokenEnsemble?: TokenEnsemble;
}

/** The engine running node-llama-cpp in this process. Swapping the variant disposes all the old one owned. */
export class InProcessEngine implements CoopEngine {
  private current: LoadedVariant | undefined;
  private loading: Promise<VariantState> | undefined;
  /** A catalog variant being resolved to files; its load starts right after. */
  private resolving: Promise<VariantSpec> | undefined;
  private cooperators: WorkspaceCooperators | undefined;
  /** The draft of the variant being loaded, answering routed requests until its target is ready. */
  private warming: CompletionEngine | undefined;
  /** The requests running on the variant, stopped and waited for before it is unloaded. */
  private readonly lifecycle = new VariantLifecycle();

  constructor(private readonly options: { onLog?: (level: string, message: string) => void } = {}) {}

  async loadVariant(
    spec: VariantSpec,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    const previous = this.loading ?? Promise.resolve(undefined);
    const load = previous.catch(() => undefined).then(() => this.replaceVariant(spec, signal, onProgress));
    this.loading = load;
    try {
      return await load;
    } finally {
      if (this.loading === load) this.loading = undefined;
    }
  }

  async loadCatalogVariant(
    request: CatalogVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    // The variant being replaced stops answering at once (its memory is freed for the new one):
    // requests wait for the new variant, and one that cannot be resolved leaves none loaded, so no
    // answer of the old variant is ever served under the new one's name.
    const resolution = this.unload().then(() => this.resolveCatalogVariant(request, signal, onProgress));
    this.resolving = resolution;
    let spec: VariantSpec;
    try {
      spec = await resolution;
    } finally {
      if (this.resolving === resolution) this.resolving = undefined;
    }
    // In the same step as the resolution's end: requests waiting for it find the load under way.
    return this.loadVariant(spec, signal, onProgress);
  }

  /** A catalog variant as files: built, merged or found where the engine runs. */
  private async resolveCatalogVariant(
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
   * Waits while a catalog variant is being resolved (its files built or merged), so the request
   * finds its load under way.
   */
  private async untilResolved(): Promise<void> {
    while (!this.current && this.resolving) await this.resolving.catch(() => undefined);
  }

  async complete(
    asked: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const { request, trimmed } = boundCompletionRequest(asked);
    await this.untilResolved();
    if (request.ensemble) {
      const routed = await this.lifecycle.run(signal, (leased) =>
        this.completeRouted(request, leased, onChunk),
      );
      return withTrimmedInput(routed, trimmed);
    }
    if (this.loading) await this.loading.catch(() => undefined);
    const current = this.current;
    if (!current) throw new Error("No model variant is loaded");
    const answer = await this.lifecycle.run(signal, (leased) =>
      this.completeOnTarget(current, request, leased, onChunk),
    );
    return withTrimmedInput(answer, trimmed);
  }

  /**
   * The target's answer: best of several candidates when the request asks for it and it applies, else the
   * usual one.
   */
  private completeOnTarget(
    current: LoadedVariant,
    request: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const settings = request.bestOfN;
    if (settings) validateBestOfN(settings);
    const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
    if (
      !settings ||
      settings.n <= 1 ||
      !multiline ||
      request.grammar !== undefined ||
      current.completion.answerWithoutGenerating(request)
    ) {
      return this.completeOn(current.completion, request, signal, onChunk);
    }
    return this.completeBestOfN(current.completion, request, settings, signal, onChunk);
  }

  /**
   * Best-of-n: candidates drawn and judged (detector, then the target's likelihood), the winner kept
   * in the cache as this request's answer, then served through the usual check and policy (so a
   * flagged winner is annotated, hidden or repaired as always, and typing through it works).
   */
  private async completeBestOfN(
    completion: CompletionEngine,
    request: EngineCompletionRequest,
    settings: NonNullable<EngineCompletionRequest["bestOfN"]>,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const cooperators = this.cooperators;
    const chunks =
      request.chunks ??
      (cooperators ? await cooperators.contextFor(request, request.cursorLine, contextBudgetTokens) : []);
    const grounded = { ...request, chunks, bypassCache: false };
    const check =
      request.check && cooperators && request.check.policy !== "off"
        ? { ...request.check, workspace: cooperators.detectorWorkspace }
        : undefined;
    const best = await bestCompletionOfN(
      completion,
      grounded,
      settings,
      check
        ? (text) =>
            detect(text, {
              language: check.language,
              workspace: check.workspace,
              prefixContext: request.prefix,
              suffixContext: request.suffix,
              path: request.path,
            })
        : undefined,
      signal,
    );
    const winner = best.candidates[best.chosen]!;
    completion.remember(grounded, winner.result.text);
    const served = await this.completeOn(completion, grounded, signal);
    // Nothing streamed while the candidates were drawn: the winner comes in one piece.
    if (onChunk && winner.result.raw !== "") onChunk(winner.result.raw);
    const outcome: BestOfNOutcome = {
      candidates: best.candidates.map((candidate) => ({ text: candidate.result.text, ...candidate.score })),
      chosen: best.chosen,
      dropped: best.dropped,
    };
    return {
      ...served,
      raw: winner.result.raw,
      source: "generated",
      ...(winner.result.stats ? { stats: winner.result.stats } : {}),
      bestOfN: outcome,
    };
  }

  /** The router picks the model: the draft alone (also while the target loads), a cascade, or the target. */
  private async completeRouted(
    request: EngineCompletionRequest,
    signal: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const settings = request.ensemble!;
    const warming = this.loading ? this.warming : undefined;
    if (!warming) await untilSettled(this.loading, signal);
    const current = warming ? undefined : this.current;
    if (!warming && !current) throw new Error("No model variant is loaded");
    const draftOnly = warming ?? current?.draftOnly;
    const multiline = request.multiline ?? wantsMultiline(request.prefix, request.suffix);
    // Retrieved chunks are left out: their budget is fixed and small next to the file around the cursor.
    const contextTokens = (draftOnly ?? current!.completion).model.tokenize(
      request.prefix + request.suffix,
      false,
    ).length;
    const decision = routeRequest(
      {
        kind: multiline ? "inline-multi-line" : "inline-single-line",
        contextTokens,
        preference: settings.preference,
        target: warming ? "loading" : "loaded",
        draftAvailable: draftOnly !== undefined,
      },
      { longContextTokens: settings.longContextTokens ?? 1024 },
    );
    const outcome = (
      servedBy: "draft" | "target",
      escalation?: EnsembleOutcome["escalation"],
    ): EnsembleOutcome => ({
      route: decision.route,
      servedBy,
      draftWhileTargetLoads: decision.draftWhileTargetLoads,
      reason: decision.reason,
      ...(escalation ? { escalation } : {}),
    });
    if (decision.route === "draft")
      return { ...(await this.completeOn(draftOnly!, request, signal, onChunk)), ensemble: outcome("draft") };
    if (decision.route === "target" || !current?.cascade) {
      if (!current) {
        await untilSettled(this.loading, signal);
        const loaded = this.current;
        if (!loaded) throw new Error("No model variant is loaded");
        return this.completeOnTarget(loaded, { ...request, ensemble: undefined }, signal, onChunk);
      }
      return {
        ...(await this.completeOnTarget(current, request, signal, onChunk)),
        ensemble: outcome("target"),
      };
    }
    return this.completeByCascade(
      current,
      current.cascade,
      request,
      settings.minConfidence ?? defaultCascadeMinConfidence,
      outcome,
      signal,
    );
  }

  private async completeByCascade(
    current: LoadedVariant,
    cascade: Cascade,
    request: EngineCompletionRequest,
    minConfidence: number,
    outcome: (servedBy: "draft" | "target", escalation?: EnsembleOutcome["escalation"]) => EnsembleOutcome,
    signal?: AbortSignal,
  ): Promise<EngineCompletion> {
    const cooperators = this.cooperators;
    const generates = current.completion.answerWithoutGenerating(request) === undefined;
    const chunks =
      request.chunks ??
      (cooperators && generates
        ? await cooperators.contextFor(request, request.cursorLine, contextBudgetTokens)
        : []);
    const grounded = { ...request, chunks };
    const check =
      request.check && cooperators
        ? { ...request.check, workspace: cooperators.detectorWorkspace, path: request.path }
        : undefined;
    const ran = await cascade.complete(
      grounded,
      {
        minConfidence,
        check:
          check && check.policy !== "off"
            ? (text, asked) =>
                detect(text, {
                  language: check.language,
                  workspace: check.workspace,
                  prefixContext: asked.prefix,
                  suffixContext: asked.suffix,
                  path: check.path,
                })
            : undefined,
      },
      signal,
    );
    const escalation = ran.decision
      ? { escalated: ran.decision.escalate, reason: ran.decision.reason, confidence: ran.decision.confidence }
      : undefined;
    const ensemble = outcome(ran.servedBy, escalation);
    if (!check) return { ...ran.result, contextChunks: chunks.length, ensemble };
    if (ran.servedBy === "target") {
      // The target's answer is in its cache now: the usual check (and repair) costs no second generation.
      const served = await this.completeOn(current.completion, grounded, signal);
      const draftText = ran.escalatedDraft?.text ?? "";
      const draft =
        draftText.trim() === ""
          ? []
          : [
              {
                text: draftText,
                origin: "cascade-draft" as const,
                findings: ran.findings.map(reportFinding),
              },
            ];
      const alternatives = [...(served.alternatives ?? []), ...draft];
      return { ...served, ensemble, ...(alternatives.length > 0 ? { alternatives } : {}) };
    }
    // A draft answer the cascade kept has no certain finding: the policy can only show or annotate it.
    const findings = ran.decision
      ? ran.findings
      : await detect(ran.result.text, {
          language: check.language,
          workspace: check.workspace,
          prefixContext: request.prefix,
          suffixContext: request.suffix,
          path: check.path,
        });
    const shown = applyPolicy(findings, check.policy);
    return {
      ...ran.result,
      contextChunks: chunks.length,
      ensemble,
      check: {
        action: shown.action === "show" ? (shown.annotations.length > 0 ? "annotate" : "show") : "hide",
        repaired: false,
        findings: shown.annotations.map((finding) => ({
          kind: finding.kind,
          name: finding.name,
          evidence: finding.evidence,
          suggestions: finding.suggestions,
        })),
      },
    };
  }

  /** Retrieval, generation on `completion`, and the detector's check with its policy. */
  private async completeOn(
    completion: CompletionEngine,
    request: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion> {
    const cooperators = this.cooperators;
    // A cached or typed-through answer needs no retrieval; it is still checked below.
    const generates = completion.answerWithoutGenerating(request) === undefined;
    const chunks =
      request.chunks ??
      (cooperators && generates
        ? await cooperators.contextFor(request, request.cursorLine, contextBudgetTokens)
        : []);
    const grounded = { ...request, chunks };
    if (!request.check || !cooperators) {
      return { ...(await completion.complete(grounded, signal, onChunk)), contextChunks: chunks.length };
    }
    const checked = await completeChecked(
      completion,
      grounded,
      { ...request.check, workspace: cooperators.detectorWorkspace, path: request.path },
      signal,
    );
    const reported = checked.repaired ? (checked.repairedFindings ?? []) : checked.findings;
    return {
      ...checked.result,
      contextChunks: chunks.length,
      check: {
        action: checked.action,
        repaired: checked.repaired,
        findings: reported.map(reportFinding),
      },
      ...(checked.originalText === undefined
        ? {}
        : {
            alternatives: [
              {
                text: checked.originalText,
                origin: "before-repair" as const,
                findings: reported.map(reportFinding),
              },
            ],
          }),
    };
  }

  async chat(
    asked: EngineChatRequest,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer> {
    const { request, trimmed } = boundChatRequest(asked);
    await this.untilResolved();
    if (this.loading) await this.loading.catch(() => undefined);
    const current = this.current;
    if (!current) throw new Error("No model variant is loaded");
    const answer = await this.lifecycle.run(signal, (leased) =>
      current.chat.answer(request, this.cooperators, leased, onEvent),
    );
    return withTrimmedInput(answer, trimmed);
  }

  downloadVariant(
    request: DownloadVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<{ downloaded: string[]; bytes: number }> {
    return downloadVariantModels(request, signal, onProgress);
  }

  async openWorkspace(request: WorkspaceRequest): Promise<{ files: number }> {
    const opened = await WorkspaceCooperators.open(request.root, request.cacheDir);
    const previous = this.cooperators;
    this.cooperators = opened;
    await previous?.dispose();
    return { files: opened.fileCount };
  }

  stats(): Promise<EngineStats> {
    const stats = this.current?.completion.stats;
    return Promise.resolve({
      completions: stats?.requests ?? 0,
      acceptanceRate: stats?.acceptanceRate,
      tokensPerSecond: stats?.tokensPerSecond,
      sequencesInUse: this.current?.completion.sequencesInUse ?? 0,
      ...(this.current?.cascade?.escalationRate === undefined
        ? {}
        : { cascadeEscalationRate: this.current.cascade.escalationRate }),
    });
  }

  memory(): Promise<EngineMemory> {
    const usage = process.memoryUsage();
    return Promise.resolve({ rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
  }

  async dispose(): Promise<void> {
    await this.loading?.catch(() => undefined);
    await this.unload();
    await this.cooperators?.dispose();
    this.cooperators = undefined;
  }

  private async replaceVariant(
    spec: VariantSpec,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState> {
    await this.unload();
    if (spec.tokenEnsemble && spec.draft) {
      throw new Error(
        `Variant ${spec.id} is a token ensemble and cannot also have a draft model: the draft would speculate for the target alone, not for the ensemble`,
      );
    }
    const runtime = await LlamaRuntime.create({
      gpu: spec.gpu,
      threads: spec.threads,
      onLog: this.options.onLog,
    });
    const models: LlamaModel[] = [];
    let draftOnly: CompletionEngine | undefined;
    let tokenEnsemble: TokenEnsemble | undefined;
    try {
      const loading = (what: string) => (fraction: number) =>
        onProgress?.({ phase: "load", fraction, message: `loading the ${what} model` });
      // The draft first: it is small, and routed requests can be answered by it while the target loads.
      const draft = spec.draft
        ? await runtime.loadModel(spec.draft, { signal, onProgress: loading("draft") })
        : undefined;
      if (draft) models.push(draft.model);
      if (draft) {
        draftOnly = await this.draftOnlyEngine(runtime, draft.model, spec);
        this.warming = draftOnly;
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
      const chat = new ChatResponder(completion, this.options.onLog, {
        contrastivePair,
        decoder: tokenEnsemble?.decoder,
      });
      this.current = {
        spec,
        runtime,
        models,
        completion,
        chat,
        state,
        draftOnly,
        cascade,
        contrastivePair,
        tokenEnsemble,
      };
      this.warming = undefined;
      return state;
    } catch (error) {
      this.warming = undefined;
      await tokenEnsemble?.dispose();
      await draftOnly?.dispose();
      for (const model of models.reverse()) await model.dispose();
      await runtime.dispose();
      throw error;
    }
  }

  /**
   * The draft as a completion engine of its own, or undefined when it cannot complete code (no FIM tokens).
   */
  private async draftOnlyEngine(
    runtime: LlamaRuntime,
    draft: LlamaModel,
    spec: VariantSpec,
  ): Promise<CompletionEngine | undefined> {
    try {
      return await CompletionEngine.create(
        runtime,
        { target: draft },
        { variant: `${spec.id}#draft`, speculative: false, contextSize: spec.contextSize ?? 2048 },
      );
    } catch (error) {
      this.options.onLog?.(
        "warn",
        `the draft cannot answer on its own: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  /**
   * Drains the variant, then frees it: requests on it are stopped and have ended (CancelledBySwapError)
   * before any context or model is disposed.
   */
  private async unload(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await this.lifecycle.drain();
    if (!current) return;
    await current.draftOnly?.dispose();
    await current.completion.dispose();
    // After the completion engine, which aborted the answers still holding the pairs.
    await current.contrastivePair?.dispose();
    await current.tokenEnsemble?.dispose();
    // The draft before the target: a draft still running against a disposed target throws.
    for (const model of current.models.reverse()) await model.dispose();
    await current.runtime.dispose();
  }
}

/** A detector finding as the engine's API reports it. */
function reportFinding(finding: Finding): CompletionCheck["findings"][number] {
  return {
    kind: finding.kind,
    name: finding.name,
    evidence: finding.evidence,
    suggestions: finding.suggestions,
  };
}
