// Scores a checker on the real-code set: precision and recall over (kind, name) findings, per kind and
// per language, memberRecall (unknown members), and the wall-clock time of each check.
import type { LabelKind } from "../evalSet.js";
import type { RealCase, RealLabel, RealLanguage } from "./realCase.js";

/** What a checker reports: findings of any kind (those not scored, such as lowConfidence, are ignored). */
export type RealChecker = (realCase: RealCase) => Promise<readonly { kind: string; name: string }[]>;

export interface Counts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface RealMistake {
  id: string;
  family: string;
  type: "missed" | "spurious";
  kind: string;
  name: string;
}

export interface RealCodeScore extends Counts {
  memberRecall: number;
  cases: number;
  /** Correct cases (nothing to find) that got a finding anyway. */
  correctCasesFlagged: number;
  correctCases: number;
  byKind: Record<LabelKind, Counts>;
  byLanguage: Record<RealLanguage, Counts & { cases: number }>;
  checkMs: number[];
  /** CPU milliseconds of this process (all its threads, the compiler's worker included) per check. */
  checkCpuMs: number[];
  mistakes: RealMistake[];
}

const kinds: LabelKind[] = ["unknownSymbol", "unknownMember", "unknownPackage"];
const languages: RealLanguage[] = ["typescript", "javascript", "python"];

class Tally {
  truePositives = 0;
  falsePositives = 0;
  falseNegatives = 0;

  counts(): Counts {
    const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = this;
    return {
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    };
  }
}

const key = (label: RealLabel): string => `${label.kind}:${label.name}`;

/**
 * Runs `checker` on every case and scores what it reports against the oracle's labels; findings of other
 * kinds (low confidence) are ignored. Checks are timed warm: after `warmup` untimed checks, or with
 * "every case" after one untimed check of each case (the editor knows the document before it asks).
 */
export async function scoreChecker(
  cases: readonly RealCase[],
  checker: RealChecker,
  warmup: number | "every case" = 20,
): Promise<RealCodeScore> {
  for (const realCase of warmup === "every case" ? cases : cases.slice(0, warmup)) await checker(realCase);
  const total = new Tally();
  const byKind = new Map(kinds.map((kind) => [kind, new Tally()]));
  const byLanguage = new Map(languages.map((language) => [language, new Tally()]));
  const checkMs: number[] = [];
  const checkCpuMs: number[] = [];
  const mistakes: RealMistake[] = [];
  let correctCasesFlagged = 0;
  for (const realCase of cases) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const findings = (await checker(realCase)).filter((finding): finding is RealLabel =>
      (kinds as string[]).includes(finding.kind),
    );
    checkMs.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    checkCpuMs.push((cpu.user + cpu.system) / 1000);
    const found = new Map(findings.map((finding) => [key(finding), finding]));
    const expected = new Set(realCase.expected.map(key));
    if (realCase.expected.length === 0 && found.size > 0) correctCasesFlagged += 1;
    const record = (
      label: RealLabel,
      outcome: "truePositives" | "falsePositives" | "falseNegatives",
    ): void => {
      for (const tally of [total, byKind.get(label.kind)!, byLanguage.get(realCase.language)!])
        tally[outcome] += 1;
    };
    for (const label of realCase.expected) {
      if (found.has(key(label))) record(label, "truePositives");
      else {
        record(label, "falseNegatives");
        mistakes.push({ id: realCase.id, family: realCase.family, type: "missed", ...label });
      }
    }
    for (const finding of found.values())
      if (!expected.has(key(finding))) {
        record(finding, "falsePositives");
        mistakes.push({
          id: realCase.id,
          family: realCase.family,
          type: "spurious",
          kind: finding.kind,
          name: finding.name,
        });
      }
  }
  const caseCount = (language: RealLanguage): number =>
    cases.filter((entry) => entry.language === language).length;
  return {
    ...total.counts(),
    memberRecall: byKind.get("unknownMember")!.counts().recall,
    cases: cases.length,
    correctCases: cases.filter((entry) => entry.expected.length === 0).length,
    correctCasesFlagged,
    byKind: Object.fromEntries(kinds.map((kind) => [kind, byKind.get(kind)!.counts()])) as Record<
      LabelKind,
      Counts
    >,
    byLanguage: Object.fromEntries(
      languages.map((language) => [
        language,
        { ...byLanguage.get(language)!.counts(), cases: caseCount(language) },
      ]),
    ) as RealCodeScore["byLanguage"],
    checkMs,
    checkCpuMs,
    mistakes,
  };
}
