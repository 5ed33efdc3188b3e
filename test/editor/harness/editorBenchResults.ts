import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../../support/repoRoot.js";

/** What scenarios measure, for bench-results/editor.json. */
export interface EditorMetrics {
  ghostTextP50Ms?: number;
  ghostTextP95Ms?: number;
  ghostTextSamples?: number;
  /** Keystrokes after which no ghost text came within the probe's timeout (not in the percentiles). */
  ghostTextMisses?: number;
  /**
   * The median of each stage over the measured completions, from Coop's log (see
   * extension/engine/completionTimings.ts); null: the stage did not run or was not reported.
   * `editor` is the p50 less the provider's median total: the editor's own wait after a keystroke,
   * the messages between the workbench and the extension host, drawing the ghost text.
   */
  ghostTextStagesP50Ms?: Record<string, number | null>;
  /** The same at the 95th percentile (`editor`: the p95 less the provider's p95 total). */
  ghostTextStagesP95Ms?: Record<string, number | null>;
}

export interface EditorBenchResults extends EditorMetrics {
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
