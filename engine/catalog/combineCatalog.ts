import { CoopError, coopErrorCodes } from "../errors/index.js";
import type { Catalog, CatalogModel, CatalogVariant, Origin, VariantTokenEnsemble } from "./catalogTypes.js";
import type { CatalogLayer, LayerVariant } from "./parseCatalog.js";

/**
 * A catalog entry refers to something that does not exist or does not fit; names where the entry was defined.
 */
export class CatalogReferenceError extends CoopError {
  constructor(origin: Origin, field: string, reason: string) {
    super(coopErrorCodes.catalogReference, `${origin.file}: ${origin.path}.${field}: ${reason}`);
    this.name = "CatalogReferenceError";
  }
}

/**
 * Combines layers in order (later ones add entries or replace those with the same id), then checks every
 * reference.
 */
export function combineCatalogLayers(layers: readonly CatalogLayer[]): Catalog {
  const catalog: Catalog = {
    models: new Map(),
    adapters: new Map(),
    variants: new Map(),
    defaultVariant: "",
  };
  const variants = new Map<string, LayerVariant>();
  let defaultOrigin: Origin | undefined;
  for (const layer of layers) {
    for (const model of layer.models) catalog.models.set(model.id, model);
    for (const adapter of layer.adapters) catalog.adapters.set(adapter.id, adapter);
    for (const variant of layer.variants) variants.set(variant.id, variant);
    if (layer.defaultVariant !== undefined) {
      catalog.defaultVariant = layer.defaultVariant;
      defaultOrigin = { file: layer.file, path: "$" };
    }
  }
  for (const variant of variants.values())
    catalog.variants.set(
      variant.id,
      variant.target !== undefined ? variant : withEnsembleTarget(variants, variant),
    );
  checkReferences(catalog);
  if (defaultOrigin !== undefined && !catalog.variants.has(catalog.defaultVariant)) {
    throw new CatalogReferenceError(
      defaultOrigin,
      "defaultVariant",
      `no variant has the id '${catalog.defaultVariant}'`,
    );
  }
  if (defaultOrigin === undefined) catalog.defaultVariant = catalog.variants.keys().next().value ?? "";
  return catalog;
}

function model(
  catalog: Catalog,
  variant: CatalogVariant,
  field: string,
  id: string,
  role?: CatalogModel["role"],
): CatalogModel {
  const found = catalog.models.get(id);
  if (found === undefined)
    throw new CatalogReferenceError(variant.origin, field, `no model has the id '${id}'`);
  if (role !== undefined && found.role !== role)
    throw new CatalogReferenceError(
      variant.origin,
      field,
      `model '${id}' has role '${found.role}', expected '${role}'`,
    );
  return found;
}

/**
 * A token ensemble with the target of its member 0 (and its embedding model unless it names one),
 * once both members are found to be local variants that are not ensembles themselves.
 */
function withEnsembleTarget(
  variants: ReadonlyMap<string, LayerVariant>,
  variant: LayerVariant & { tokenEnsemble: VariantTokenEnsemble },
): CatalogVariant {
  const members = variant.tokenEnsemble.members.map(({ variant: id }, i) => {
    const field = `tokenEnsemble.members[${i}].variant`;
    const member = variants.get(id);
    if (member === undefined)
      throw new CatalogReferenceError(variant.origin, field, `no variant has the id '${id}'`);
    // Only a token ensemble has no target of its own.
    if (member.target === undefined)
      throw new CatalogReferenceError(
        variant.origin,
        field,
        `variant '${id}' is a token ensemble itself; the members must be plain, adapter or merged variants`,
      );
    if (member.remote !== undefined) {
      throw new CatalogReferenceError(
        variant.origin,
        field,
        `variant '${id}' runs on ${member.remote.kind} at ${member.remote.url}; both members of a token ensemble must run on this machine`,
      );
    }
    return member;
  });
  const first = members[0]!;
  return { ...variant, target: first.target, embedding: variant.embedding ?? first.embedding };
}

function checkReferences(catalog: Catalog): void {
  for (const adapter of catalog.adapters.values()) {
    if (!catalog.models.has(adapter.base))
      throw new CatalogReferenceError(adapter.origin, "base", `no model has the id '${adapter.base}'`);
  }
  const variants = [...catalog.variants.values()];
  // Ensembles last: a problem in a member is then reported at the member, where it is.
  for (const variant of variants) if (variant.tokenEnsemble === undefined) checkVariant(catalog, variant);
  for (const variant of variants)
    if (variant.tokenEnsemble !== undefined) checkTokenEnsemble(catalog, variant);
}

function checkVariant(catalog: Catalog, variant: CatalogVariant): void {
  const target = model(catalog, variant, variant.merge ? "merge.base" : "target", variant.target, "target");
  if (variant.draft !== undefined) {
    const draft = model(catalog, variant, "draft", variant.draft, "draft");
    if (draft.family !== target.family) {
      throw new CatalogReferenceError(
        variant.origin,
        "draft",
        `draft '${draft.id}' is of family '${draft.family}' but the target is '${target.family}'; they must share a tokenizer`,
      );
    }
  }
  if (variant.embedding !== undefined) model(catalog, variant, "embedding", variant.embedding, "embedding");
  variant.adapters.forEach(({ id }, i) => {
    const adapter = catalog.adapters.get(id);
    if (adapter === undefined)
      throw new CatalogReferenceError(variant.origin, `adapters[${i}].id`, `no adapter has the id '${id}'`);
    if (adapter.base !== variant.target) {
      throw new CatalogReferenceError(
        variant.origin,
        `adapters[${i}].id`,
        `adapter '${id}' adapts '${adapter.base}', not the variant's target '${variant.target}'`,
      );
    }
  });
  if (variant.merge !== undefined) checkMergeInputs(catalog, variant);
  if (variant.remote?.kind === "vllm" && target.fim === undefined) {
    throw new CatalogReferenceError(
      variant.origin,
      "target",
      `model '${target.id}' has no fim tokens, and vLLM has no infill endpoint: Coop writes the FIM prompt itself with the target's fim tokens`,
    );
  }
}

/**
 * The members' targets (checked with the members) share a family, so a tokenizer; the embedding model is one.
 */
function checkTokenEnsemble(catalog: Catalog, variant: CatalogVariant): void {
  const [first, second] = variant.tokenEnsemble!.members.map(({ variant: id }) => ({
    id,
    target: catalog.models.get(catalog.variants.get(id)!.target)!,
  }));
  if (first!.target.family !== second!.target.family) {
    throw new CatalogReferenceError(
      variant.origin,
      "tokenEnsemble.members[1].variant",
      `variant '${second!.id}' targets family '${second!.target.family}' but '${first!.id}' targets '${first!.target.family}'; the members of a token ensemble must share a tokenizer`,
    );
  }
  if (variant.embedding !== undefined) model(catalog, variant, "embedding", variant.embedding, "embedding");
}

function checkMergeInputs(catalog: Catalog, variant: CatalogVariant): void {
  const merge = variant.merge!;
  const base = catalog.models.get(merge.base)!;
  const kinds = new Set<string>();
  merge.inputs.forEach(({ id }, i) => {
    const field = `merge.inputs[${i}].id`;
    const adapter = catalog.adapters.get(id);
    const input = catalog.models.get(id);
    if (adapter !== undefined) {
      kinds.add("adapter");
      if (adapter.base !== merge.base)
        throw new CatalogReferenceError(
          variant.origin,
          field,
          `adapter '${id}' adapts '${adapter.base}', not the merge base '${merge.base}'`,
        );
    } else if (input !== undefined) {
      kinds.add("model");
      if (input.family !== base.family) {
        throw new CatalogReferenceError(
          variant.origin,
          field,
          `model '${id}' is of family '${input.family}' but the merge base is '${base.family}'`,
        );
      }
    } else {
      throw new CatalogReferenceError(variant.origin, field, `no model or adapter has the id '${id}'`);
    }
  });
  if (kinds.size > 1)
    throw new CatalogReferenceError(
      variant.origin,
      "merge.inputs",
      "inputs must be all models or all adapters, not a mix",
    );
}
