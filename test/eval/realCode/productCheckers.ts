// The product's checks on the real-code set: the full check (checkSuggestion, what findingsIn returns:
// the fast pass plus the compiler's verdict within its budget) and the fast pass alone (detect), over
// WorkspaceCooperators opened on each workspace as the engine opens them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkspaceCooperators } from "../../../engine/cooperators/index.js";
import { detect } from "../../../engine/detector/index.js";
import { checkSuggestion } from "../../../engine/pipeline/completionCheck.js";
import type { RealCase } from "./realCase.js";
import type { RealChecker } from "./score.js";
import { tsWorkspaceName } from "./tsWorkspace.js";

/** A budget no check reaches: the compiler always judges, so its own accuracy and time show. */
export const unboundedBudgetMs = 60_000;

export interface ProductCheckers {
  /** The product's check with its default compiler budget (what findingsIn returns). */
  full: RealChecker;
  /** The same check with a budget no check reaches. */
  unbounded: RealChecker;
  /** The fast pass alone (detect). */
  fast: RealChecker;
  /** Whether the TypeScript workspace's compiler said it was ready (typeScriptReady) before the checks. */
  compilerReady: boolean;
  /** Per case, who judged its last full check: "compiler", or "fast: <why the compiler did not>". */
  judgedBy: Map<string, string>;
  dispose(): Promise<void>;
}

export async function openProductCheckers(roots: ReadonlyMap<string, string>): Promise<ProductCheckers> {
  const cacheDir = await mkdtemp(join(tmpdir(), "coop-real-code-cache-"));
  const opened = new Map<string, WorkspaceCooperators>();
  let compilerReady = false;
  try {
    for (const [name, root] of roots) {
      const cooperators = await WorkspaceCooperators.open(root, cacheDir);
      opened.set(name, cooperators);
      if (name === tsWorkspaceName) compilerReady = await cooperators.typeScriptReady();
    }
  } catch (error) {
    for (const cooperators of opened.values()) await cooperators.dispose();
    await rm(cacheDir, { recursive: true, force: true });
    throw error;
  }
  const judgedBy = new Map<string, string>();
  const cooperatorsOf = (realCase: RealCase): WorkspaceCooperators => opened.get(realCase.workspace)!;
  const productCheck =
    (compilerBudgetMs: number | undefined, verdicts?: Map<string, string>): RealChecker =>
    async (realCase) => {
      const check = await checkSuggestion(
        realCase.snippet,
        { prefix: realCase.prefix, suffix: realCase.suffix, path: realCase.path },
        { language: realCase.language, policy: "annotate", ...(compilerBudgetMs && { compilerBudgetMs }) },
        cooperatorsOf(realCase),
      );
      verdicts?.set(realCase.id, check.reason === undefined ? check.checkedBy : `fast: ${check.reason}`);
      return check.findings;
    };
  return {
    full: productCheck(undefined, judgedBy),
    unbounded: productCheck(unboundedBudgetMs),
    fast: (realCase) =>
      detect(realCase.snippet, {
        language: realCase.language,
        workspace: cooperatorsOf(realCase).detectorWorkspace,
        prefixContext: realCase.prefix,
        suffixContext: realCase.suffix,
        path: realCase.path,
      }),
    compilerReady,
    judgedBy,
    dispose: async () => {
      for (const cooperators of opened.values()) await cooperators.dispose();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
