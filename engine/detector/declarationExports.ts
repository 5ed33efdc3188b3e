import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  exportsThrough,
  moduleSurface,
  namespaceThrough,
  type ModuleGraph,
  type ModuleSurface,
} from "./moduleSurface.js";

/** Reads a file's text; undefined when it cannot be read. */
export type ReadText = (path: string) => string | undefined;

/**
 * Declaration files already parsed, by path ("unreadable" when they could not be read): the entries of a
 * package (zod's, date-fns's subpaths) share most of their files.
 */
export type SurfaceCache = Map<string, ModuleSurface | undefined | "unreadable">;

/** How many declaration files one package entry's exports may span (`export *` chains). */
const maxFilesPerEntry = 1000;

/** What a package entry exports: its names, and the names of the namespaces it exports by name. */
export interface PackageExports {
  names: Set<string> | undefined;
  namespaces: Map<string, Set<string> | undefined>;
}

/**
 * The exports of a type declaration file (`.d.ts`, `.d.mts`, `.d.cts`), following relative re-exports
 * into the files they name. Names are undefined when not knowable: a re-export that cannot be read or
 * leaves the package, `export =` of a value whose type would have to be computed, too many files.
 */
export async function declarationExports(
  file: string,
  read: ReadText,
  parsed: SurfaceCache = new Map(),
): Promise<PackageExports> {
  const surfaces = new Map<string, ModuleSurface | undefined>();
  const graph: ModuleGraph = {
    surfaceOf: (path) => surfaces.get(path),
    resolve: (fromFile, specifier) => {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
      return declarationCandidates(join(dirname(fromFile), specifier)).find((candidate) =>
        surfaces.has(candidate),
      );
    },
  };
  const pending = [file];
  while (pending.length > 0 && surfaces.size < maxFilesPerEntry) {
    const path = pending.pop()!;
    if (surfaces.has(path)) continue;
    if (!parsed.has(path)) {
      const text = read(path);
      parsed.set(path, text === undefined ? "unreadable" : await moduleSurface(text));
    }
    const surface = parsed.get(path);
    if (surface === "unreadable") continue;
    surfaces.set(path, surface);
    for (const specifier of [...(surface?.stars ?? []), ...(surface?.namespaces.values() ?? [])]) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const base = join(dirname(path), specifier);
      const found = declarationCandidates(base).find((candidate) =>
        parsed.has(candidate) ? parsed.get(candidate) !== "unreadable" : existsSync(candidate),
      );
      if (found !== undefined) pending.push(found);
    }
  }
  const complete = pending.length === 0;
  const namespaces = new Map<string, Set<string> | undefined>();
  for (const name of [...(surfaces.get(file)?.namespaces.keys() ?? []), "default"])
    namespaces.set(name, complete ? namespaceThrough(graph, file, name) : undefined);
  return { names: complete ? exportsThrough(graph, file) : undefined, namespaces };
}

/** Where TypeScript looks for the declarations of a relative module path. */
function declarationCandidates(base: string): string[] {
  const stem = base.replace(/\.(m|c)?(j|t)s$/, "");
  const kind = /\.(m|c)(j|t)s$/.exec(base)?.[1] ?? "";
  return [`${stem}.d.${kind}ts`, `${stem}.d.ts`, `${base}/index.d.ts`, `${stem}/index.d.ts`];
}
