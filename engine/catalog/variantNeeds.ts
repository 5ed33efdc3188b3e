import type { Catalog, CatalogAdapter, CatalogModel, CatalogVariant } from "./catalogTypes.js";

type Entry = CatalogModel | CatalogAdapter;

/**
 * The catalog entries whose files a variant needs on this machine: its models, adapters and merge
 * inputs; for a token ensemble each member's target, adapters and merge inputs (not the members'
 * drafts, which it does not run); for a variant on a server nothing, since the server holds it all.
 * A variant's embedding model is not among them: retrieval ranks without embeddings (measured on real
 * code, fusing them did not raise recall; see the retriever bench), so it is not downloaded.
 */
export function localEntriesOf(catalog: Catalog, variant: CatalogVariant): Entry[] {
  const models = (ids: (string | undefined)[]): Entry[] =>
    ids.flatMap((id) => (id && catalog.models.has(id) ? [catalog.models.get(id)!] : []));
  const entries: Entry[] = variant.remote
    ? []
    : variant.tokenEnsemble
      ? [
          ...variant.tokenEnsemble.members.flatMap((member) =>
            catalog.variants.has(member.variant)
              ? targetEntriesOf(catalog, catalog.variants.get(member.variant)!)
              : [],
          ),
        ]
      : [...models([variant.target, variant.draft]), ...targetEntriesOf(catalog, variant)];
  return [...new Map(entries.map((entry) => [entry.id, entry])).values()];
}

/**
 * What a local variant's target is made of: its model (or the merge's base and inputs) and its run-time
 * adapters.
 */
function targetEntriesOf(catalog: Catalog, variant: CatalogVariant): Entry[] {
  const ids = [
    variant.target,
    variant.merge?.base,
    ...(variant.merge?.inputs.map((input) => input.id) ?? []),
    ...variant.adapters.map((adapter) => adapter.id),
  ];
  return ids.flatMap((id) => {
    const entry = id === undefined ? undefined : (catalog.models.get(id) ?? catalog.adapters.get(id));
    return entry === undefined ? [] : [entry];
  });
}

/** The servers the catalog's variants run on (normalized URLs, each once, in catalog order). */
export function remoteEndpointsOf(catalog: Catalog): string[] {
  return [
    ...new Set(
      [...catalog.variants.values()].flatMap((variant) => (variant.remote ? [variant.remote.url] : [])),
    ),
  ];
}
