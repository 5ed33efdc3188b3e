import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repoRoot.js";

/**
 * TypeScript outside every corpus of the tiny models (the code corpus is node-llama-cpp's dist/
 * JavaScript, the others llama.cpp's Python and C++): the sample workspace and two packages npm ships as
 * sources.
 */
export const heldOutRoots = [
  "sample/src",
  "node_modules/rxjs/src/internal/operators",
  "node_modules/zod/src/v4/core",
] as const;

/** The `.ts` files directly in each folder (declaration files left out), relative to the repo, by name. */
export function typeScriptFilesIn(roots: readonly string[]): { path: string; text: string }[] {
  return roots.flatMap((root) =>
    readdirSync(join(repoRoot, root))
      .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
      .sort()
      .map((name) => ({ path: join(root, name), text: readFileSync(join(repoRoot, root, name), "utf8") })),
  );
}
