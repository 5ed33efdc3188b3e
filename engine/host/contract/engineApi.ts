import type { CompletionRequest, CompletionResult } from "../../completion/index.js";
import type { DetectorPolicy, FindingKind } from "../../detector/index.js";
import type {
  BestOfNOutcome,
  BestOfNSettings,
  CompletionEnsembleSettings,
  ContrastiveSettings,
  EnsembleOutcome,
  TokenEnsembleSpec,
} from "../../ensemble/index.js";
import type { LanguageId } from "../../syntax/index.js";

/** A completion request as the editor sends it: where the cursor is, and how to check the answer. */
export interface EngineCompletionRequest extends CompletionRequest {
  /** The cursor's 0-based line, so retrieval leaves out what the prompt already holds. */
  cursorLine?: number;
  /**
   * Check the suggestion with the detector and apply the policy (needs an open workspace). For
   * TypeScript and JavaScript the compiler judges too, within `compilerBudgetMs` (default 60; 0: never).
   */
  check?: { language: LanguageId; policy: DetectorPolicy; compilerBudgetMs?: number };
  /**
   * Let the router pick the model for this request (draft alone, cascade, or target) and serve from
   * the draft while the target loads. Absent: the target answers, as always.
   */
  ensemble?: CompletionEnsembleSettings;
  /**
   * For a multi-line completion the target answers: draw up to n candidates (the greedy answer, then
   * samples with distinct seeds) within budgetMs and answer with the one with the fewest detector
   * findings, then the highest likelihood under the target. Ignored for one line and with a grammar.
   */
  bestOfN?: BestOfNSettings;
}

export interface CompletionCheck {
  /** show: as is; annotate: with the findings; hide: not at all. */
  action: "show" | "annotate" | "hide";
  repaired: boolean;
  /** What the detector found (for a repaired suggestion: what the repair fixed). */
  findings: { kind: FindingKind; name: string; evidence: string; suggestions: string[] }[];
  /** Which checker's verdict this is: the TypeScript compiler's, or the fast checker's alone. */
  checkedBy?: "compiler" | "fast";
  /** Why the compiler did not judge (over its budget, project not loaded yet, ...). */
  checkReason?: string;
}

export interface EngineCompletion extends CompletionResult {
  check?: CompletionCheck;
  /** How many workspace chunks grounded the prompt. */
  contextChunks: number;
  /**
   * With `ensemble` in the request: which model answered and why (the status bar shows a draft-only answer).
   */
  ensemble?: EnsembleOutcome;
  /** With `bestOfN` in the request and best-of-n run: the candidates and which one this is. */
  bestOfN?: BestOfNOutcome;
  /**
   * Other texts the pipeline produced for this request, which the editor can offer after this one:
   * the cascade draft's answer the target replaced, the suggestion a repair replaced.
   */
  alternatives?: CompletionAlternative[];
  /** What of the request was over the engine's input limits and trimmed (see inputLimits.ts). */
  trimmedInput?: InputTrim[];
  /** Where the engine's time on this request went (the editor logs it next to its own stages). */
  timings?: CompletionTimings;
}

/**
 * The engine's stages of one completion, in milliseconds: a stage that did not run is absent (a
 * cached or typed-through answer has no retrieval nor generation). A stage timed inside another counts
 * in the inner one only (the generation a repair runs is generation, not detector).
 */
export interface CompletionTimings {
  /** Waiting to start: the variant loading, the completions ahead of it in the queue. */
  queueMs?: number;
  /** Retrieving the workspace chunks that ground the prompt. */
  retrievalMs?: number;
  /** Building the prompt: its budget, input compression, tokenizing. */
  promptMs?: number;
  /** The models evaluating the prompt and generating the answer (every model an ensemble runs). */
  generationMs?: number;
  /** The detector's check of the answer and its policy (a repair's own generation excepted). */
  detectorMs?: number;
  /** From the request's arrival in the engine to its answer; the stages above add up to at most this. */
  totalMs: number;
}

/** A text the pipeline produced for a request besides the one it answers with, and why it was not chosen. */
export interface CompletionAlternative {
  text: string;
  origin: "cascade-draft" | "before-repair";
  /** What the detector found in it. */
  findings: CompletionCheck["findings"];
}

/** Input the engine trimmed to its limits, and why. */
export interface InputTrim {
  /** The request's field: `prefix`, `suffix`, `messages`, `attachments[0].text`, `chunks`. */
  field: string;
  reason: string;
}

/** One turn of a conversation. */
export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

/** Code the user attached to a question: the selection or the whole file. */
export interface ChatAttachment {
  kind: "selection" | "file";
  /** Workspace-relative when inside the workspace, otherwise absolute. */
  path: string;
  language?: string;
  text: string;
  /** 0-based, inclusive; for a selection. */
  startLine?: number;
  endLine?: number;
}

export interface EngineChatRequest {
  /** The conversation so far, ending with the user's question. */
  messages: ChatTurn[];
  attachments?: ChatAttachment[];
  /** Check the answer's code blocks with the detector (needs an open workspace); "off" skips it. */
  policy?: DetectorPolicy;
  maxTokens?: number;
  /**
   * Answer with exactly one fenced code block in this language (a fence tag such as "typescript"),
   * held to that shape by a grammar: code the user asked for to insert or apply, no prose around it.
   */
  codeOnly?: { language: string };
  /**
   * Contrastive decoding (opt-in): each token maximises log p_target - alpha * log p_draft among the
   * tokens the target finds plausible. Needs a variant with a draft; not with `codeOnly`.
   */
  contrastive?: ContrastiveSettings;
  /**
   * Best-of-n for the answer's code blocks: once the answer is complete, up to n - 1 other versions of
   * each block are sampled (within budgetMs for all blocks) and each block becomes the version with the
   * fewest detector findings, then the highest likelihood under the target. The streamed text shows
   * the first version; the answer's `text` has the chosen ones.
   */
  bestOfN?: BestOfNSettings;
}

/** A workspace chunk that grounded an answer. */
export interface ChatSource {
  /** Workspace-relative. */
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  score: number;
}

export interface ChatCodeBlock {
  /** 0-based position among the answer's fenced code blocks. */
  index: number;
  language?: string;
  code: string;
  findings: CompletionCheck["findings"];
}

/** What a chat answer streams: its sources first (before any text), then its text piece by piece. */
export type ChatEvent = { type: "sources"; sources: ChatSource[] } | { type: "text"; text: string };
export type ChatEventListener = (event: ChatEvent) => void;

export interface EngineChatAnswer {
  text: string;
  sources: ChatSource[];
  codeBlocks: ChatCodeBlock[];
  /**
   * eos: the model finished; maxTokens: cut at the limit; aborted: the user stopped it (text is what came
   * before).
   */
  stopReason: "eos" | "maxTokens" | "aborted";
  tokens: number;
  tokensPerSecond?: number;
  /** With `bestOfN` in the request: per code block that had other versions drawn, which one was kept. */
  bestOfN?: { blocks: ChatBestOfNBlock[] };
  /** What of the request was over the engine's input limits and trimmed (see inputLimits.ts). */
  trimmedInput?: InputTrim[];
}

/** Best-of-n's outcome for one code block of a chat answer (candidate texts are the block's code). */
export interface ChatBestOfNBlock extends BestOfNOutcome {
  /** 0-based position among the answer's fenced code blocks. */
  index: number;
}

export interface WorkspaceRequest {
  root: string;
  cacheDir: string;
}

/**
 * What changed in the editor since its last report, for the open workspace's retriever and detector.
 * Paths are absolute; those outside the workspace are ignored.
 */
export interface WorkspaceChange {
  /** Open documents whose text changed in the editor (saved or not), with the lines the edits touched. */
  edited?: EditedDocument[];
  /** Files created or changed on disk. */
  written?: string[];
  /** Files deleted from disk. */
  deleted?: string[];
  /** Documents closed in the editor: their files on disk count again. */
  closed?: string[];
  /** Every file open in an editor (replaces the list last sent). */
  openFiles?: string[];
}

export interface EditedDocument {
  path: string;
  /** The document's whole text as the editor holds it. */
  text: string;
  /** The lines the edits touched, 0-based and inclusive, in the new text. */
  editedLines: { startLine: number; endLine: number }[];
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
  /**
   * A token-level ensemble: every greedy token is the argmax of the target's and this partner's
   * distributions averaged with weights. The partner must share the target's tokenizer; no draft.
   */
  tokenEnsemble?: TokenEnsembleSpec;
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
/**
 * Where the workspace's variant is: none yet (absent), the old one being stopped and freed (switching),
 * its files being downloaded, built or merged (downloading), its models loading or its server being
 * reached (loading), answering (ready), or its last load failed (failed).
 */
export type VariantPhase = "absent" | "switching" | "downloading" | "loading" | "ready" | "failed";

export const variantPhases: readonly VariantPhase[] = [
  "absent",
  "switching",
  "downloading",
  "loading",
  "ready",
  "failed",
];

export interface VariantStatus {
  phase: VariantPhase;
  /** The variant the phase is about (absent only before any load). */
  id?: string;
  /** Why the last load failed (phase "failed"). */
  error?: string;
}

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
  /** Of the cascade's draft answers, the share escalated to the target (once the cascade ran). */
  cascadeEscalationRate?: number;
}

/**
 * The engine's API, the same in-process (tests, CLI) and across the engine host process (the
 * extension), so callers never care where inference runs.
 */
export interface CoopEngine {
  loadVariant(spec: VariantSpec, signal?: AbortSignal, onProgress?: ProgressListener): Promise<VariantState>;
  loadCatalogVariant(
    request: CatalogVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<VariantState>;
  complete(
    request: EngineCompletionRequest,
    signal?: AbortSignal,
    onChunk?: ChunkListener,
  ): Promise<EngineCompletion>;
  /** Answers a chat question; aborting resolves with the answer so far (stopReason "aborted"). */
  chat(
    request: EngineChatRequest,
    signal?: AbortSignal,
    onEvent?: ChatEventListener,
  ): Promise<EngineChatAnswer>;
  downloadVariant(
    request: DownloadVariantRequest,
    signal?: AbortSignal,
    onProgress?: ProgressListener,
  ): Promise<{ downloaded: string[]; bytes: number }>;
  /** Indexes a workspace for retrieval and detection; completions use it once it is ready. */
  openWorkspace(request: WorkspaceRequest): Promise<{ files: number }>;
  /** Brings the open workspace's cooperators up to date with the editor; a no-op without one. */
  workspaceChanged(change: WorkspaceChange): Promise<{ applied: number; ignored: string[] }>;
  stats(): Promise<EngineStats>;
  memory(): Promise<EngineMemory>;
  dispose(): Promise<void>;
}
