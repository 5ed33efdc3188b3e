import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../../support/repoRoot.js";

export interface EditorBenchResults {
  ghostTextP50Ms?: number;
  ghostTextP95Ms?: number;
  ghostTextSamples?: number;
  /** Keystrokes after which no ghost text came within the probe's timeout (not in the percentiles). */
  ghostTextMisses?: number;
  /** Size of the VSIX the run installed (absent when the repo was linked in instead). */
  vsixBytes?: number;
  extensionSource: "vsix" | "repo";
  editor: string;
  scenarios: { passed: number; failed: number };
  extensionHostTests: { passed: number; failed: number };
  /** Titles of what failed. */
  failed: string[];
  [metric: string]: unknown;
}

/** Writes bench-results/editor.json, next to the other benchmarks' results. */
export async function writeEditorBenchResults(results: EditorBenchResults): Promise<string> {
  const dir = join(repoRoot, "bench-results");
  await mkdir(dir, { recursive: true });
  const path = join(dir, "editor.json");
  await writeFile(path, JSON.stringify({ ...results, measuredAt: new Date().toISOString() }, null, 2) + "\n");
  return path;
}
