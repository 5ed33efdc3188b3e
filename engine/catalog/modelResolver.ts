import { CoopError, coopErrorCodes } from "../errors/index.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultCacheDir, nodeLlamaCppPackageDir } from "../paths.js";
import { ensureTinyModelSet, type TinyModelSet } from "../tinymodel/index.js";
import type { CatalogAdapter, CatalogModel } from "./catalogTypes.js";
import { locateModel, tinyModelPath, tinyModelSetPresent, type ModelLocation } from "./modelLocation.js";

export interface ModelResolverOptions {
  /** Cache of rebuildable artefacts (tiny models, merged variants); default defaultCacheDir(). */
  cacheDir?: string;
  /** Downloaded models; default `<cacheDir>/models`. */
  modelsDir?: string;
  /** Gives the tiny model set (default: ensureTinyModelSet in cacheDir; tests pass their fixtures). */
  tinyModels?: () => Promise<TinyModelSet>;
}

export class ModelNotAvailableError extends CoopError {
  constructor(entry: CatalogModel | CatalogAdapter, location: ModelLocation) {
    super(
      coopErrorCodes.modelNotAvailable,
      location.kind === "hf"
        ? `'${entry.id}' (${entry.uri}) is not downloaded yet; expected at ${location.path}`
        : `'${entry.id}' (${entry.uri}): no file at ${location.kind === "file" ? location.path : entry.uri}`,
    );
    this.name = "ModelNotAvailableError";
  }
}

/** Maps catalog entries to files on this machine, building the tiny model set when a builtin is asked for. */
export class ModelResolver {
  readonly cacheDir: string;
  readonly modelsDir: string;
  private readonly tinyModels: () => Promise<TinyModelSet>;
  private tinySet: Promise<TinyModelSet> | undefined;

  constructor(options: ModelResolverOptions = {}) {
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.modelsDir = options.modelsDir ?? join(this.cacheDir, "models");
    this.tinyModels =
      options.tinyModels ??
      (() => ensureTinyModelSet({ cacheDir: this.cacheDir, nodeLlamaCppDir: nodeLlamaCppPackageDir() }));
  }

  locate(entry: CatalogModel | CatalogAdapter): ModelLocation {
    return locateModel(entry.uri, entry.origin.file, this.modelsDir);
  }

  /**
   * Whether the file is on disk now (builtins: whether a tiny model set was built), without building or
   * downloading.
   */
  isPresent(entry: CatalogModel | CatalogAdapter): boolean {
    const location = this.locate(entry);
    return location.kind === "builtin" ? tinyModelSetPresent(this.cacheDir) : existsSync(location.path);
  }

  /** The entry's file path; builds the tiny models when needed, refuses files that are missing. */
  async path(entry: CatalogModel | CatalogAdapter): Promise<string> {
    const location = this.locate(entry);
    if (location.kind === "builtin") {
      this.tinySet ??= this.tinyModels();
      return tinyModelPath(await this.tinySet, location.name);
    }
    if (!existsSync(location.path)) throw new ModelNotAvailableError(entry, location);
    return location.path;
  }
}
