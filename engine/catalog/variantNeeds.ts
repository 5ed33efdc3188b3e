import type { Catalog, CatalogAdapter, CatalogModel, CatalogVariant } from "./catalogTypes.js";

/**
 * The catalog entries whose files a variant needs on this machine: its models, adapters and merge
 * inputs; for a variant on a server only its embedding model (retrieval runs here), since the server
 * holds the rest.
 */
export function localEntriesOf(catalog: Catalog, variant: CatalogVariant): (CatalogModel | CatalogAdapter)[] {
  const modelIds = variant.remote
    ? [variant.embedding]
    : [variant.target, variant.draft, variant.embedding, variant.merge?.base, ...(variant.merge?.inputs.map((input) => input.id) ?? [])];
  const entries: (CatalogModel | CatalogAdapter)[] = [
    ...modelIds.flatMap((id) => (id && catalog.models.has(id) ? [catalog.models.get(id)!] : [])),
    ...variant.adapters.flatMap(({ id }) => (catalog.adapters.has(id) ? [catalog.adapters.get(id)!] : [])),
    ...(variant.merge?.inputs ?? []).flatMap(({ id }) => (catalog.adapters.has(id) ? [catalog.adapters.get(id)!] : [])),
  ];
  return [...new Map(entries.map((entry) => [entry.id, entry])).values()];
}

/** The servers the catalog's variants run on (normalized URLs, each once, in catalog order). */
export function remoteEndpointsOf(catalog: Catalog): string[] {
  return [...new Set([...catalog.variants.values()].flatMap((variant) => (variant.remote ? [variant.remote.url] : [])))];
}
