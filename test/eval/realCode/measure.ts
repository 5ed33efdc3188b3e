// The real-code measurement the detector bench reports: the set built and labelled, the product's full
// check and its fast pass scored on it.
import { buildRealCodeSet, type RealCodeSetOptions } from "./buildSet.js";
import { openProductCheckers } from "./productCheckers.js";
import type { DroppedCase } from "./realCase.js";
import { scoreChecker, type RealCodeScore } from "./score.js";

export interface RealCodeMeasurement {
  generated: number;
  dropped: DroppedCase[];
  /** Whether the TypeScript workspace's compiler was ready (typeScriptReady) before the checks. */
  compilerReady: boolean;
  /** TypeScript/JavaScript cases per checker that judged them in the full check (with the fast reasons). */
  judgedBy: Record<string, number>;
  /** The product's check (fast pass, then the compiler within its default budget). */
  full: RealCodeScore;
  /** The product's check with a budget no check reaches: what the compiler gives when it always judges. */
  unbounded: RealCodeScore;
  fast: RealCodeScore;
}

export async function measureRealCode(options: RealCodeSetOptions = {}): Promise<RealCodeMeasurement> {
  const set = await buildRealCodeSet(options);
  try {
    const checkers = await openProductCheckers(set.roots);
    try {
      const fast = await scoreChecker(set.cases, checkers.fast, "every case");
      const full = await scoreChecker(set.cases, checkers.full, "every case");
      const unbounded = await scoreChecker(set.cases, checkers.unbounded, 0);
      const judgedBy: Record<string, number> = {};
      for (const realCase of set.cases)
        if (realCase.language !== "python") {
          const verdict = checkers.judgedBy.get(realCase.id) ?? "not checked";
          judgedBy[verdict] = (judgedBy[verdict] ?? 0) + 1;
        }
      return {
        generated: set.generated,
        dropped: set.dropped,
        compilerReady: checkers.compilerReady,
        judgedBy,
        full,
        unbounded,
        fast,
      };
    } finally {
      await checkers.dispose();
    }
  } finally {
    await set.cleanup();
  }
}
