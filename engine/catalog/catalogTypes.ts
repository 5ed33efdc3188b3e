import type { MergeOutputType } from "../merge/mergeJob.js";
import type { MergeMethod, MergeParams } from "../merge/methods/index.js";

export type ModelRole = "target" | "draft" | "embedding";
export const MODEL_ROLES: readonly ModelRole[] = ["target", "draft", "embedding"];

/** Where an entry was defined, e.g. `/path/models.json $.models[2]`, for errors found after catalogs are combined. */
export interface Origin {
  file: string;
  path: string;
}

export interface FimTokens {
  prefix: string;
  suffix: string;
  middle: string;
}

export interface CatalogModel {
  id: string;
  /** `hf:<owner>/<repo>/<file.gguf>`, `builtin:tiny/<name>`, or a file path (relative to the catalog file). */
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

export interface CatalogVariant {
  id: string;
  label: string;
  description: string;
  /** The target model id; for a merged variant, the merge's output is the target and this is its base. */
  target: string;
  draft?: string;
  embedding?: string;
  /** LoRA adapters applied at run time, with their scales. */
  adapters: { id: string; scale: number }[];
  merge?: VariantMerge;
  origin: Origin;
}

export interface Catalog {
  models: Map<string, CatalogModel>;
  adapters: Map<string, CatalogAdapter>;
  variants: Map<string, CatalogVariant>;
  defaultVariant: string;
}
