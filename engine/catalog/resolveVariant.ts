import { CoopError, coopErrorCodes } from "../errors/index.js";
import type { TokenEnsembleSpec } from "../ensemble/tokenEnsemble.js";
import type { MergeProgress } from "../merge/index.js";
import type { Catalog, CatalogModel, CatalogVariant, VariantRemote } from "./catalogTypes.js";
import { ensureMergedVariant } from "./mergedVariant.js";
import type { ModelResolver } from "./modelResolver.js";

/**
 * What the runtime loads for a variant: file paths, run-time adapters in node-llama-cpp's shape, and the
 * target's traits.
 */
export interface ResolvedVariant {
  variant: CatalogVariant;
  /** The target model file: the merged file for a merged variant. */
  target: string;
  draft?: string;
  embedding?: string;
  adapters: { filePath: string; scale: number }[];
  /**
   * The catalog entry of the target (for a merged variant, of its base): family, context length, FIM tokens.
   */
  targetModel: CatalogModel;
  /**
   * For a token ensemble: member 0's weight, and member 1 as the partner. `target` and `adapters`
   * above are then member 0's; there is no draft.
   */
  tokenEnsemble?: TokenEnsembleSpec;
}

export class UnknownVariantError extends CoopError {
  constructor(id: string, catalog: Catalog) {
    super(
      coopErrorCodes.unknownVariant,
      `no variant '${id}' in the catalog; known variants: ${[...catalog.variants.keys()].join(", ")}`,
    );
    this.name = "UnknownVariantError";
  }
}

/** The variant runs on an inference server, so it has no model files to load on this machine. */
export class RemoteVariantError extends CoopError {
  constructor(variant: CatalogVariant & { remote: VariantRemote }) {
    super(
      coopErrorCodes.remoteVariant,
      `variant '${variant.id}' runs on ${variant.remote.kind} at ${variant.remote.url}; it has no model files to load on this machine`,
    );
    this.name = "RemoteVariantError";
  }
}

/**
 * What the engine needs to serve a variant from a server: the server, and the catalog's entry of the model it
 * runs.
 */
export interface ResolvedRemoteVariant {
  variant: CatalogVariant;
  remote: VariantRemote;
  /** The catalog entry of the model the server runs: its family, context length and FIM tokens. */
  targetModel: CatalogModel;
}

/** A variant that runs on a server, or an error that says it runs here (or does not exist). */
export function resolveRemoteVariant(catalog: Catalog, id: string): ResolvedRemoteVariant {
  const variant = catalog.variants.get(id);
  if (variant === undefined) throw new UnknownVariantError(id, catalog);
  if (variant.remote === undefined)
    throw new Error(`variant '${id}' runs on this machine, not on an inference server`);
  return { variant, remote: variant.remote, targetModel: catalog.models.get(variant.target)! };
}

type ResolveOptions = { signal?: AbortSignal; onMergeProgress?: (progress: MergeProgress) => void };

/**
 * Resolves a variant to files on this machine, building tiny models or merging as needed (downloads are not
 * started here).
 */
export async function resolveVariant(
  catalog: Catalog,
  id: string,
  resolver: ModelResolver,
  options: ResolveOptions = {},
): Promise<ResolvedVariant> {
  const variant = catalog.variants.get(id);
  if (variant === undefined) throw new UnknownVariantError(id, catalog);
  if (variant.remote !== undefined) throw new RemoteVariantError({ ...variant, remote: variant.remote });
  const model = (modelId: string): CatalogModel => catalog.models.get(modelId)!;
  const embedding = async () =>
    variant.embedding === undefined ? undefined : await resolver.path(model(variant.embedding));
  if (variant.tokenEnsemble !== undefined) {
    // One member after the other: either may be a merge, which is heavy on memory and disk.
    const [first, second] = variant.tokenEnsemble.members;
    const own = await resolveTarget(catalog, catalog.variants.get(first.variant)!, resolver, options);
    const partner = await resolveTarget(catalog, catalog.variants.get(second.variant)!, resolver, options);
    return {
      variant,
      target: own.target,
      embedding: await embedding(),
      adapters: own.adapters,
      targetModel: model(variant.target),
      tokenEnsemble: {
        targetWeight: first.weight,
        partner: {
          model: partner.target,
          adapters: partner.adapters.map(({ filePath, scale }) => ({ path: filePath, scale })),
          weight: second.weight,
        },
      },
    };
  }
  const { target, adapters } = await resolveTarget(catalog, variant, resolver, options);
  return {
    variant,
    target,
    draft: variant.draft === undefined ? undefined : await resolver.path(model(variant.draft)),
    embedding: await embedding(),
    adapters,
    targetModel: model(variant.target),
  };
}

/** A local variant's target model file (merged now when needed) and its run-time adapters. */
async function resolveTarget(
  catalog: Catalog,
  variant: CatalogVariant,
  resolver: ModelResolver,
  options: ResolveOptions,
): Promise<{ target: string; adapters: { filePath: string; scale: number }[] }> {
  const target =
    variant.merge === undefined
      ? await resolver.path(catalog.models.get(variant.target)!)
      : (
          await ensureMergedVariant(catalog, variant, resolver, {
            signal: options.signal,
            onProgress: options.onMergeProgress,
          })
        ).path;
  const adapters = await Promise.all(
    variant.adapters.map(async ({ id, scale }) => ({
      filePath: await resolver.path(catalog.adapters.get(id)!),
      scale,
    })),
  );
  return { target, adapters };
}
