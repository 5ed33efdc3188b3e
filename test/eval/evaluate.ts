// Runs the detector over the evaluation set and scores it per finding kind.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  detect,
  workspaceFromFiles,
  type DetectorWorkspace,
  type Finding,
} from "../../engine/detector/index.js";
import { generateEvalSet, type EvalSnippet, type LabelKind } from "./evalSet.js";
import { evalWorkspaces, writeWorkspace } from "./workspaces.js";

export const scoredKinds: readonly LabelKind[] = ["unknownSymbol", "unknownMember", "unknownPackage"];

export interface KindScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface EvalMistake {
  id: string;
  kind: LabelKind;
  name: string;
  /** "missed": planted but not found; "spurious": found but not planted. */
  type: "missed" | "spurious";
  evidence?: string;
}

export interface EvalReport {
  snippets: number;
  planted: number;
  scores: Record<LabelKind, KindScore>;
  /** Wall-clock milliseconds per detect() call, in set order. */
  checkMs: number[];
  /** CPU milliseconds of this process per call: what the check costs without other processes' noise. */
  checkCpuMs: number[];
  mistakes: EvalMistake[];
}

/** Writes the workspaces to a temp folder and indexes them as the detector would. */
export async function loadEvalWorkspaces(): Promise<{
  workspaces: Map<string, DetectorWorkspace>;
  cleanup: () => Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), "coop-detector-eval-"));
  const workspaces = new Map<string, DetectorWorkspace>();
  for (const workspace of evalWorkspaces) {
    const folder = await writeWorkspace(root, workspace);
    const files = Object.entries(workspace.sources).map(([path, text]) => ({ path, text }));
    workspaces.set(workspace.name, await workspaceFromFiles(files, { root: folder }));
  }
  return { workspaces, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function detectSnippet(snippet: EvalSnippet, workspace: DetectorWorkspace): Promise<Finding[]> {
  return detect(snippet.snippet, {
    language: snippet.language,
    workspace,
    prefixContext: snippet.prefix,
    path: snippet.path,
  });
}

/** Scores detections per kind: a (kind, name) pair per snippet counts once. */
export async function evaluateDetector(
  snippets: readonly EvalSnippet[] = generateEvalSet(),
  rounds = 1,
): Promise<EvalReport> {
  const { workspaces, cleanup } = await loadEvalWorkspaces();
  try {
    const counts = Object.fromEntries(
      scoredKinds.map((kind) => [kind, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }]),
    ) as Record<LabelKind, Omit<KindScore, "precision" | "recall">>;
    const mistakes: EvalMistake[] = [];
    const checkMs: number[] = [];
    const checkCpuMs: number[] = [];
    // One untimed pass warms the parsers and the JIT, as a long-running editor session would be.
    for (const snippet of snippets.slice(0, 20))
      await detectSnippet(snippet, workspaces.get(snippet.workspace)!);
    for (let round = 0; round < rounds; round++) {
      for (const snippet of snippets) {
        const workspace = workspaces.get(snippet.workspace)!;
        const started = performance.now();
        const cpuStarted = process.cpuUsage();
        const findings = await detectSnippet(snippet, workspace);
        const cpu = process.cpuUsage(cpuStarted);
        checkMs.push(performance.now() - started);
        checkCpuMs.push((cpu.user + cpu.system) / 1000);
        if (round > 0) continue;
        const found = new Map<string, Finding>();
        for (const finding of findings)
          if (finding.kind !== "lowConfidence") found.set(`${finding.kind}:${finding.name}`, finding);
        const planted = new Set(snippet.planted.map((label) => `${label.kind}:${label.name}`));
        for (const label of snippet.planted) {
          if (found.has(`${label.kind}:${label.name}`)) counts[label.kind].truePositives += 1;
          else {
            counts[label.kind].falseNegatives += 1;
            mistakes.push({ id: snippet.id, kind: label.kind, name: label.name, type: "missed" });
          }
        }
        for (const [key, finding] of found) {
          if (planted.has(key)) continue;
          counts[finding.kind as LabelKind].falsePositives += 1;
          mistakes.push({
            id: snippet.id,
            kind: finding.kind as LabelKind,
            name: finding.name,
            type: "spurious",
            evidence: finding.evidence,
          });
        }
      }
    }
    const scores = Object.fromEntries(
      scoredKinds.map((kind) => {
        const { truePositives, falsePositives, falseNegatives } = counts[kind];
        const precision =
          truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
        const recall =
          truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
        return [kind, { truePositives, falsePositives, falseNegatives, precision, recall }];
      }),
    ) as Record<LabelKind, KindScore>;
    return {
      snippets: snippets.length,
      planted: snippets.reduce((sum, snippet) => sum + snippet.planted.length, 0),
      scores,
      checkMs,
      checkCpuMs,
      mistakes,
    };
  } finally {
    await cleanup();
  }
}
