// The real-code evaluation set (test/eval/realCode/): on a sample, the labelling oracles (the TypeScript
// compiler, python3) agree with how cases were generated and reject a case whose label is wrong, and the
// scoring harness scores a wrong detector badly and a right one well.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildRealCodeSet, keepAgreeing, type RealCodeSet } from "./realCode/buildSet.js";
import { interpreterLabels } from "./realCode/pyInterpreter.js";
import type { RealCase, RealLabel } from "./realCode/realCase.js";
import { scoreChecker } from "./realCode/score.js";
import { compilerLabels } from "./realCode/tsOracle.js";
import { tsWorkspaceName } from "./realCode/tsWorkspace.js";

let set: RealCodeSet;

before(async () => {
  set = await buildRealCodeSet({ every: 9 });
});

after(async () => {
  await set.cleanup();
});

/** The same case claiming the opposite: a label where it is correct, none where it is wrong. */
function mislabelled(realCase: RealCase): RealCase {
  const claimed: RealLabel[] =
    realCase.expected.length > 0 ? [] : [{ kind: "unknownMember", name: realCase.snippet.match(/\w+/)![0] }];
  return { ...realCase, expected: claimed };
}

test("the oracles agree with generation on a sample covering every kind and language", () => {
  assert.ok(set.cases.length >= 60, `${set.cases.length} cases kept`);
  assert.ok(set.dropped.length <= set.generated * 0.05, `${set.dropped.length} of ${set.generated} dropped`);
  for (const language of ["typescript", "javascript", "python"])
    assert.ok(
      set.cases.some((entry) => entry.language === language),
      `no ${language} case`,
    );
  for (const kind of ["unknownSymbol", "unknownMember", "unknownPackage"])
    assert.ok(
      set.cases.some((entry) => entry.expected.some((label) => label.kind === kind)),
      `no ${kind} label`,
    );
  const correct = set.cases.filter((entry) => entry.expected.length === 0).length;
  assert.ok(
    correct > set.cases.length * 0.35 && correct < set.cases.length * 0.65,
    `${correct} correct cases`,
  );
});

test("the compiler and the interpreter reject cases whose label is wrong", () => {
  const tsCases = set.cases
    .filter((entry) => entry.workspace === tsWorkspaceName)
    .slice(0, 12)
    .map(mislabelled);
  const tsVerdicts = compilerLabels(set.roots.get(tsWorkspaceName)!, tsCases);
  const ts = keepAgreeing(tsCases, (entry) => ({
    labels: tsVerdicts.get(entry.id)!.labels,
    malformed: false,
  }));
  assert.equal(ts.kept.length, 0, `kept ${ts.kept.map((entry) => entry.id).join(", ")}`);

  const pyCases = set.cases
    .filter((entry) => entry.language === "python")
    .slice(0, 12)
    .map(mislabelled);
  const pyVerdicts = interpreterLabels(pyCases);
  const py = keepAgreeing(pyCases, (entry) => ({
    labels: pyVerdicts.get(entry.id)!.labels,
    malformed: false,
  }));
  assert.equal(py.kept.length, 0, `kept ${py.kept.map((entry) => entry.id).join(", ")}`);
});

test("the harness scores a detector that is always wrong badly and one that is right perfectly", async () => {
  const inverted = await scoreChecker(set.cases, (entry) => Promise.resolve(mislabelled(entry).expected), 0);
  assert.equal(inverted.precision, 0);
  assert.equal(inverted.recall, 0);
  assert.equal(inverted.correctCasesFlagged, inverted.correctCases);

  const silent = await scoreChecker(set.cases, () => Promise.resolve([]), 0);
  assert.equal(silent.recall, 0);
  assert.equal(silent.memberRecall, 0);

  const right = await scoreChecker(set.cases, (entry) => Promise.resolve(entry.expected), 0);
  assert.equal(right.precision, 1);
  assert.equal(right.recall, 1);
  assert.equal(right.correctCasesFlagged, 0);
  assert.equal(right.checkMs.length, set.cases.length);
});
