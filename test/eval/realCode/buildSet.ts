// Builds the real-code evaluation set: both workspaces written to a temp folder, cases generated from
// what the real typings and the real interpreter say exists, then labelled by the TypeScript compiler
// and by python3. A case whose label disagrees with its generation is dropped and counted.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "../random.js";
import { generatePyCases, pyFactsRequest } from "./pyCases.js";
import { interpreterLabels, pythonFacts } from "./pyInterpreter.js";
import { pyWorkspaceName, writePyWorkspace } from "./pyWorkspace.js";
import { sameLabels, type DroppedCase, type RealCase, type RealLabel } from "./realCase.js";
import { generateTsCases } from "./tsCases.js";
import { compilerLabels } from "./tsOracle.js";
import { readTsTypings } from "./tsTypings.js";
import { tsWorkspaceName, writeTsWorkspace } from "./tsWorkspace.js";

export interface RealCodeSet {
  /** Workspace name -> its root on disk. */
  roots: Map<string, string>;
  cases: RealCase[];
  generated: number;
  dropped: DroppedCase[];
  cleanup(): Promise<void>;
}

export interface RealCodeSetOptions {
  /** Keep about one generated case in n (1: all), drawn with a fixed seed, for a quick sample. */
  every?: number;
}

/** Keeps the cases whose verdict agrees with how they were generated. */
export function keepAgreeing(
  cases: readonly RealCase[],
  verdictOf: (realCase: RealCase) => { labels: RealLabel[]; malformed: boolean },
): { kept: RealCase[]; dropped: DroppedCase[] } {
  const kept: RealCase[] = [];
  const dropped: DroppedCase[] = [];
  for (const realCase of cases) {
    const verdict = verdictOf(realCase);
    if (!verdict.malformed && sameLabels(verdict.labels, realCase.expected)) kept.push(realCase);
    else
      dropped.push({
        id: realCase.id,
        family: realCase.family,
        expected: realCase.expected,
        labels: verdict.labels,
      });
  }
  return { kept, dropped };
}

/**
 * Saves each case's document without the suggestion (prefix + suffix) at its path, as the file the user
 * is editing is on disk and in the project before a completion is asked for.
 */
async function writeDocuments(roots: ReadonlyMap<string, string>, cases: readonly RealCase[]): Promise<void> {
  for (const realCase of cases)
    await writeFile(join(roots.get(realCase.workspace)!, realCase.path), realCase.prefix + realCase.suffix);
}

export async function buildRealCodeSet(options: RealCodeSetOptions = {}): Promise<RealCodeSet> {
  const every = options.every ?? 1;
  // Cases come in runs (correct ones, then near misses, per receiver): a stride would pick one kind only.
  const sampler = new Random(0x5a3e);
  const sampled = (): boolean => every === 1 || sampler.int(every) === 0;
  const parent = await mkdtemp(join(tmpdir(), "coop-real-code-"));
  const cleanup = (): Promise<void> => rm(parent, { recursive: true, force: true });
  try {
    const tsRoot = await writeTsWorkspace(parent);
    const tsCases = generateTsCases(readTsTypings(tsRoot)).filter(sampled);
    const tsVerdicts = compilerLabels(tsRoot, tsCases);
    const ts = keepAgreeing(tsCases, (realCase) => {
      const verdict = tsVerdicts.get(realCase.id)!;
      return { labels: verdict.labels, malformed: verdict.syntaxError };
    });

    const facts = pythonFacts(pyFactsRequest());
    const pyRoot = await writePyWorkspace(parent, facts.installed, facts.version);
    const pyCases = generatePyCases(facts).filter(sampled);
    const pyVerdicts = interpreterLabels(pyCases);
    const py = keepAgreeing(pyCases, (realCase) => {
      const verdict = pyVerdicts.get(realCase.id)!;
      return { labels: verdict.labels, malformed: verdict.error !== null };
    });

    const roots = new Map([
      [tsWorkspaceName, tsRoot],
      [pyWorkspaceName, pyRoot],
    ]);
    const cases = [...ts.kept, ...py.kept];
    await writeDocuments(roots, cases);
    return {
      roots,
      cases,
      generated: tsCases.length + pyCases.length,
      dropped: [...ts.dropped, ...py.dropped],
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
