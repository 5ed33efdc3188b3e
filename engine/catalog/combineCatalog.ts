import type { Catalog, CatalogModel, CatalogVariant, Origin } from "./catalogTypes.js";
import type { CatalogLayer } from "./parseCatalog.js";

/** A catalog entry refers to something that does not exist or does not fit; names where the entry was defined. */
export class CatalogReferenceError extends Error {
  constructor(origin: Origin, field: string, reason: string) {
    super(`${origin.file}: ${origin.path}.${field}: ${reason}`);
    this.name = "CatalogReferenceError";
  }
}

/** Combines layers in order (later ones add entries or replace those with the same id), then checks every reference. */
export function combineCatalogLayers(layers: readonly CatalogLayer[]): Catalog {
  const catalog: Catalog = { models: new Map(), adapters: new Map(), variants: new Map(), defaultVariant: "" };
  let defaultOrigin: Origin | undefined;
  for (const layer of layers) {
    for (const model of layer.models) catalog.models.set(model.id, model);
    for (const adapter of layer.adapters) catalog.adapters.set(adapter.id, adapter);
    for (const variant of layer.variants) catalog.variants.set(variant.id, variant);
    if (layer.defaultVariant !== undefined) {
      catalog.defaultVariant = layer.defaultVariant;
      defaultOrigin = { file: layer.file, path: "$" };
    }
  }
  checkReferences(catalog);
  if (defaultOrigin !== undefined && !catalog.variants.has(catalog.defaultVariant)) {
    throw new CatalogReferenceError(defaultOrigin, "defaultVariant", `no variant has the id '${catalog.defaultVariant}'`);
  }
  if (defaultOrigin === undefined) catalog.defaultVariant = catalog.variants.keys().next().value ?? "";
  return catalog;
}

function model(catalog: Catalog, variant: CatalogVariant, field: string, id: string, role?: CatalogModel["role"]): CatalogModel {
  const found = catalog.models.get(id);
  if (found === undefined) throw new CatalogReferenceError(variant.origin, field, `no model has the id '${id}'`);
  if (role !== undefined && found.role !== role) throw new CatalogReferenceError(variant.origin, field, `model '${id}' has role '${found.role}', expected '${role}'`);
  return found;
}

function checkReferences(catalog: Catalog): void {
  for (const adapter of catalog.adapters.values()) {
    if (!catalog.models.has(adapter.base)) throw new CatalogReferenceError(adapter.origin, "base", `no model has the id '${adapter.base}'`);
  }
  for (const variant of catalog.variants.values()) {
    const target = model(catalog, variant, variant.merge ? "merge.base" : "target", variant.target, "target");
    if (variant.draft !== undefined) {
      const draft = model(catalog, variant, "draft", variant.draft, "draft");
      if (draft.family !== target.family) {
        throw new CatalogReferenceError(variant.origin, "draft", `draft '${draft.id}' is of family '${draft.family}' but the target is '${target.family}'; they must share a tokenizer`);
      }
    }
    if (variant.embedding !== undefined) model(catalog, variant, "embedding", variant.embedding, "embedding");
    variant.adapters.forEach(({ id }, i) => {
      const adapter = catalog.adapters.get(id);
      if (adapter === undefined) throw new CatalogReferenceError(variant.origin, `adapters[${i}].id`, `no adapter has the id '${id}'`);
      if (adapter.base !== variant.target) {
        throw new CatalogReferenceError(variant.origin, `adapters[${i}].id`, `adapter '${id}' adapts '${adapter.base}', not the variant's target '${variant.target}'`);
      }
    });
    if (variant.merge !== undefined) checkMergeInputs(catalog, variant);
    if (variant.remote?.kind === "vllm" && target.fim === undefined) {
      throw new CatalogReferenceError(variant.origin, "target", `model '${target.id}' has no fim tokens, and vLLM has no infill endpoint: Coop writes the FIM prompt itself with the target's fim tokens`);
    }
  }
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
      if (adapter.base !== merge.base) throw new CatalogReferenceError(variant.origin, field, `adapter '${id}' adapts '${adapter.base}', not the merge base '${merge.base}'`);
    } else if (input !== undefined) {
      kinds.add("model");
      if (input.family !== base.family) {
        throw new CatalogReferenceError(variant.origin, field, `model '${id}' is of family '${input.family}' but the merge base is '${base.family}'`);
      }
    } else {
      throw new CatalogReferenceError(variant.origin, field, `no model or adapter has the id '${id}'`);
    }
  });
  if (kinds.size > 1) throw new CatalogReferenceError(variant.origin, "merge.inputs", "inputs must be all models or all adapters, not a mix");
}
