export type {
  Catalog,
  CatalogAdapter,
  CatalogModel,
  CatalogVariant,
  FimTokens,
  ModelRole,
  Origin,
  RemoteAdapter,
  RemoteServerKind,
  TokenEnsembleMember,
  VariantMerge,
  VariantMergeInput,
  VariantRemote,
  VariantTokenEnsemble,
} from "./catalogTypes.js";
export { MODEL_ROLES, REMOTE_SERVER_KINDS } from "./catalogTypes.js";
export { CatalogReferenceError, combineCatalogLayers } from "./combineCatalog.js";
export { JsonReader, JsonShapeError } from "../json/jsonShape.js";
export { CatalogReadError, loadCatalog, readCatalogLayer, shippedCatalogPath } from "./loadCatalog.js";
export {
  ensureMergedVariant,
  isMergedVariantCached,
  mergedVariantPath,
  type MergedVariantFile,
} from "./mergedVariant.js";
export {
  locateModel,
  ModelUriError,
  TINY_MODEL_NAMES,
  type ModelLocation,
  type TinyModelName,
} from "./modelLocation.js";
export { ModelNotAvailableError, ModelResolver, type ModelResolverOptions } from "./modelResolver.js";
export { CATALOG_VERSION, parseCatalogLayer, type CatalogLayer, type LayerVariant } from "./parseCatalog.js";
export {
  RemoteVariantError,
  resolveRemoteVariant,
  resolveVariant,
  UnknownVariantError,
  type ResolvedRemoteVariant,
  type ResolvedVariant,
} from "./resolveVariant.js";
export { localEntriesOf, remoteEndpointsOf } from "./variantNeeds.js";
