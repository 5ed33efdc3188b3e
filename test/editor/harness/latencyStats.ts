import {
  type CompletionStageTimes,
  completionStages,
  formatCompletionStages,
} from "../../../extension/engine/completionTimings.js";

/** The p-th percentile (0..100) of the samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * The p-th percentile of each stage over the completions (null for a stage none of them reported),
 * and `editor`: the keystroke-to-ghost-text percentile less the provider's total at that percentile
 * (the editor's share: its own wait after a keystroke, the messages between the workbench and the
 * extension host, drawing the ghost text).
 */
export function stagePercentiles(
  completions: readonly CompletionStageTimes[],
  p: number,
  ghostTextMs: number,
): Record<string, number | null> {
  const stages: Record<string, number | null> = {};
  for (const { stage } of completionStages) {
    const samples = completions.flatMap((times) => (times[stage] === undefined ? [] : [times[stage]]));
    stages[stage] = samples.length === 0 ? null : percentile(samples, p);
  }
  const total = stages.total;
  stages.editor = typeof total === "number" ? Math.max(0, Math.round(ghostTextMs - total)) : null;
  return stages;
}

/** The stages as Coop's log prints one completion's, then the editor's share. */
export function describeStages(stages: Record<string, number | null>): string {
  const times: CompletionStageTimes = {};
  for (const { stage } of completionStages) {
    const value = stages[stage];
    if (typeof value === "number") times[stage] = value;
  }
  const editor = stages.editor;
  return `${formatCompletionStages(times)}; editor ${typeof editor === "number" ? editor.toFixed(0) : "-"}`;
}
