import type { MergeOutputType } from "../merge/mergeJob.js";
import type { MergeMethod, MergeParams } from "../merge/methods/index.js";

export type ModelRole = "target" | "draft" | "embedding";
export const MODEL_ROLES: readonly ModelRole[] = ["target", "draft", "embedding"];

/**
 * Where an entry was defined, e.g. `/path/models.json $.models[2]`, for errors found after catalogs are
 * combined.
 */
export interface Origin {
  file: string;
  path: string;
}

export interface FimTokens {
  prefix: string;
  suffix: string;
  middle: string;
  /**
   * The repository-level tokens (Qwen2.5-Coder's `<|repo_name|>`, `<|file_sep|>`), when the model has them.
   */
  repoName?: string;
  fileSeparator?: string;
}

export interface CatalogModel {
  id: string;
  /**
   * `hf:<owner>/<repo>/<file.gguf>`, `builtin:tiny/<name>`, or a file path (relative to the catalog file).
   */
  uri: string;
  role: ModelRole;
  /** Models of one family share a tokenizer (a draft must share its target's). */
  family: string;
  sha256?: string;
  size?: number;
  contextLength?: number;
  fim?: FimTokens;
  description?: string;
  origin: Origin;
}

export interface CatalogAdapter {
  id: string;
  uri: string;
  /** Id of the model it adapts. */
  base: string;
  sha256?: string;
  size?: number;
  description?: string;
  origin: Origin;
}

export interface VariantMergeInput {
  /** A model id (full-model merge) or an adapter id (adapter merge). */
  id: string;
  weight: number;
  density?: number;
}

export interface VariantMerge {
  method: MergeMethod;
  /** Model id of the shared base. */
  base: string;
  inputs: VariantMergeInput[];
  params: MergeParams;
  seed: number;
  outputType: MergeOutputType;
}

export type RemoteServerKind = "llama-server" | "vllm";
export const REMOTE_SERVER_KINDS: readonly RemoteServerKind[] = ["llama-server", "vllm"];

/** A LoRA adapter loaded by the server, by the server's name for it. */
export interface RemoteAdapter {
  /**
   * llama-server: the adapter file's name without `.gguf` (or its path or id); vLLM: its --lora-modules name.
   */
  name: string;
  scale: number;
}

/** The inference server a variant runs on: completions and chat go there, the cooperators stay local. */
export interface VariantRemote {
  kind: RemoteServerKind;
  /** The server's base URL, normalized (see normalizeEndpoint); never with credentials. */
  url: string;
  /**
   * The model's name on the server: vLLM's served model name (required), llama-server's (checked when given).
   */
  model?: string;
  /**
   * Applied to every request of the variant; variants on one server differ only here, so swapping them
   * reloads nothing.
   */
  adapters: RemoteAdapter[];
}

/** One model of a token ensemble: a local variant of the catalog (plain, with adapters, or merged). */
export interface TokenEnsembleMember {
  variant: string;
  /** Its weight in the average of the two distributions (>= 0). */
  weight: number;
}

/**
 * Every greedy token is the argmax of two variants' next-token distributions averaged with weights.
 * Member 0 is the ensemble's target (its target, merge and adapters), member 1 the partner.
 */
export interface VariantTokenEnsemble {
  members: [TokenEnsembleMember, TokenEnsembleMember];
}

export interface CatalogVariant {
  id: string;
  label: string;
  description: string;
  /**
   * The target model id; for a merged variant, the merge's output is the target and this is its base;
   * for a token ensemble, member 0's (filled in when the catalogs are combined).
   */
  target: string;
  draft?: string;
  embedding?: string;
  /** LoRA adapters applied at run time, with their scales. */
  adapters: { id: string; scale: number }[];
  merge?: VariantMerge;
  /** Runs on an inference server instead of this machine; `target` then names the model the server runs. */
  remote?: VariantRemote;
  /**
   * A token-level ensemble of two other variants; such a variant has no draft, adapters or merge of its own.
   */
  tokenEnsemble?: VariantTokenEnsemble;
  origin: Origin;
}

export interface Catalog {
  models: Map<string, CatalogModel>;
  adapters: Map<string, CatalogAdapter>;
  variants: Map<string, CatalogVariant>;
  defaultVariant: string;
}
