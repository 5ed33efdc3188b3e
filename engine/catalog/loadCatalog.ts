import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Catalog } from "./catalogTypes.js";
import { combineCatalogLayers } from "./combineCatalog.js";
import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { JsonShapeError } from "../json/jsonShape.js";
import { parseCatalogLayer, type CatalogLayer } from "./parseCatalog.js";

/** A model catalog file could not be read (the coop.modelCatalog setting names a missing file, say). */
export class CatalogReadError extends CoopError {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      coopErrorCodes.catalogUnreadable,
      `cannot read the model catalog ${file}: ${describeError(cause)}`,
      { cause },
    );
    this.name = "CatalogReadError";
  }
}

/**
 * The models.json shipped at the package root: the nearest one above this module, which is
 * engine/catalog/ when run from source and out/ when bundled.
 */
export function shippedCatalogPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "models.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no models.json found above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

export async function readCatalogLayer(file: string): Promise<CatalogLayer> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CatalogReadError(file, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new JsonShapeError(file, "$", `not valid JSON: ${describeError(error)}`);
  }
  return parseCatalogLayer(json, file);
}

/**
 * The shipped catalog, then each user catalog over it (adding entries or replacing those with the same id).
 */
export async function loadCatalog(files: readonly string[] = [shippedCatalogPath()]): Promise<Catalog> {
  const layers: CatalogLayer[] = [];
  for (const file of files) layers.push(await readCatalogLayer(file));
  return combineCatalogLayers(layers);
}
