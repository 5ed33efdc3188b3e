import type { CompletionRequest, CompletionResult } from "../completion/index.js";
import type { DetectorPolicy, FindingKind } from "../detector/index.js";
import type { LanguageId } from "../syntax/index.js";

/** A completion request as the editor sends it: where the cursor is, and how to check the answer. */
export interface EngineCompletionRequest extends CompletionRequest {
  /** The cursor's 0-based line, so retrieval leaves out what the prompt already holds. */
  cursorLine?: number;
  /** Check the suggestion with the detector and apply the policy (needs an open workspace). */
  check?: { language: LanguageId; policy: DetectorPolicy };
}

export interface CompletionCheck {
  /** show: as is; annotate: with the findings; hide: not at all. */
  action: "show" | "annotate" | "hide";
  repaired: boolean;
  /** What the detector found (for a repaired suggestion: what the repair fixed). */
  findings: { kind: FindingKind; name: string; evidence: string; suggestions: string[] }[];
}

export interface EngineCompletion extends CompletionResult {
  check?: CompletionCheck;
  /** How many workspace chunks grounded the prompt. */
  contextChunks: number;
}

export interface WorkspaceRequest {
  root: string;
  cacheDir: string;
}

/** What to load: the files of a variant (already resolved and downloaded). */
export interface VariantSpec {
  id: string;
  target: string;
  draft?: string;
  /** LoRA adapters applied at run time. */
  adapters?: { path: string; scale: number }[];
  gpu: "auto" | "cpu";
  threads?: number;
  contextSize?: number;
}

/** A variant named by its catalog id, resolved (and built or merged when needed) where the engine runs. */
export interface CatalogVariantRequest {
  variantId: string;
  /** The shipped catalog first, then the user's, which may add to or override it. */
  catalogFiles: string[];
  cacheDir?: string;
  modelsDir?: string;
  gpu: "auto" | "cpu";
  threads?: number;
}

/** Downloads what a catalog variant needs that is not on this machine yet. */
export interface DownloadVariantRequest extends Omit<CatalogVariantRequest, "gpu" | "threads"> {
  /** Where hf: URIs resolve (default: Hugging Face). */
  huggingFaceEndpoint?: string;
}

export interface VariantState {
  id: string;
  onGpu: boolean;
  speculative: boolean;
  notices: string[];
}

/** Where a long operation is: building or merging a variant's models, loading them. */
export interface EngineProgress {
  phase: "download" | "merge" | "load";
  /** 0..1 when known. */
  fraction?: number;
  message: string;
}

export type ProgressListener = (progress: EngineProgress) => void;
/** Receives the completion's raw text as it grows, one piece per call. */
export type ChunkListener = (chunk: string) => void;

export interface EngineMemory {
  rssBytes: number;
  heapUsedBytes: number;
}

export interface EngineStats {
  completions: number;
  /** Requests holding a context sequence right now (0 when idle: nothing leaked). */
  sequencesInUse: number;
  acceptanceRate?: number;
  tokensPerSecond?: number;
}

/**
 * The engine's API, the same in-process (tests, CLI) and across the engine host process (the
 * extension), so callers never care where inference runs.
 */
export interface CoopEngine {
  loadVariant(spec: VariantSpec, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState>;
  loadCatalogVariant(request: CatalogVariantRequest, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState>;
  complete(request: EngineCompletionRequest, signal?: AbortSignal, onChunk?: ChunkListener): Promise<EngineCompletion>;
  downloadVariant(request: DownloadVariantRequest, signal?: AbortSignal, onProgress?: ProgressListener): Promise<{ downloaded: string[]; bytes: number }>;
  /** Indexes a workspace for retrieval and detection; completions use it once it is ready. */
  openWorkspace(request: WorkspaceRequest): Promise<{ files: number }>;
  stats(): Promise<EngineStats>;
  memory(): Promise<EngineMemory>;
  dispose(): Promise<void>;
}
