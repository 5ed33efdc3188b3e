import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
// Not ../merge/index.js: that brings the recipe readers (and their YAML parser) into the extension host.
import type { MergeProgress, MergeSummary } from "../merge/mergeJob.js";
import { mergeModels } from "../merge/mergeModels.js";
import type { Catalog, CatalogAdapter, CatalogModel, CatalogVariant } from "./catalogTypes.js";
import type { ModelResolver } from "./modelResolver.js";

export interface MergedVariantFile {
  path: string;
  /** The merge summary when this call built it; undefined when it was reused from the cache. */
  built?: MergeSummary;
}

/** What makes two builds of a merged variant the same: the recipe and each input's identity. */
async function identity(entry: CatalogModel | CatalogAdapter, path: string): Promise<string> {
  if (entry.sha256 !== undefined) return `sha256:${entry.sha256}`;
  const { size, mtimeMs } = await stat(path);
  return `${path} ${size} ${Math.floor(mtimeMs)}`;
}

function entryOf(catalog: Catalog, id: string): CatalogModel | CatalogAdapter {
  const entry = catalog.models.get(id) ?? catalog.adapters.get(id);
  if (entry === undefined) throw new Error(`catalog has no model or adapter '${id}'`);
  return entry;
}

/** Where a merged variant's file is (or would be) cached, keyed by the recipe and its inputs. */
export async function mergedVariantPath(
  catalog: Catalog,
  variant: CatalogVariant,
  resolver: ModelResolver,
): Promise<{ path: string; base: string; inputs: string[] }> {
  const merge = variant.merge;
  if (merge === undefined) throw new Error(`variant '${variant.id}' is not a merged variant`);
  const base = await resolver.path(entryOf(catalog, merge.base));
  const inputs = await Promise.all(merge.inputs.map(({ id }) => resolver.path(entryOf(catalog, id))));
  const hash = createHash("sha256").update(
    JSON.stringify({ merge, base: await identity(entryOf(catalog, merge.base), base) }),
  );
  for (const [i, { id }] of merge.inputs.entries())
    hash.update("\n").update(await identity(entryOf(catalog, id), inputs[i]!));
  const key = hash.digest("hex").slice(0, 16);
  return { path: join(resolver.cacheDir, "models", "merged", `${variant.id}-${key}.gguf`), base, inputs };
}

export function isMergedVariantCached(path: string): boolean {
  return existsSync(path);
}

/** The merged variant's model file, merged now when no cached copy matches its recipe and inputs. */
export async function ensureMergedVariant(
  catalog: Catalog,
  variant: CatalogVariant,
  resolver: ModelResolver,
  options: { signal?: AbortSignal; onProgress?: (progress: MergeProgress) => void } = {},
): Promise<MergedVariantFile> {
  const { path, base, inputs } = await mergedVariantPath(catalog, variant, resolver);
  if (existsSync(path)) return { path };
  const merge = variant.merge!;
  const built = await mergeModels({
    method: merge.method,
    base,
    inputs: merge.inputs.map((input, i) => ({
      path: inputs[i]!,
      weight: input.weight,
      density: input.density,
    })),
    params: merge.params,
    seed: merge.seed,
    output: { kind: "model", path, type: merge.outputType },
    name: `coop-${variant.id}`,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { path, built };
}
