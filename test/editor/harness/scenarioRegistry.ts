import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../../support/repoRoot.js";
import type { Scenario } from "./scenario.js";

export const scenariosDir = join(repoRoot, "test", "editor", "scenarios");

/**
 * Every scenario of test/editor/scenarios/: each .ts file there exports `scenarios`, a list. Adding a
 * file adds its scenarios; nothing else needs to change. Files load in name order.
 */
export async function loadScenarios(): Promise<Scenario[]> {
  const files = (await readdir(scenariosDir))
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
    .sort();
  const all: Scenario[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(scenariosDir, file)).href)) as { scenarios?: unknown };
    if (!Array.isArray(module.scenarios))
      throw new Error(`test/editor/scenarios/${file} must export \`scenarios\`, a list of Scenario`);
    all.push(...(module.scenarios as Scenario[]));
  }
  return all;
}
