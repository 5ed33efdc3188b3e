import assert from "node:assert/strict";
import { test } from "node:test";
import { evalSeed, generateEvalSet } from "./evalSet.js";
import { evaluateDetector } from "./evaluate.js";

test("the evaluation set is large, mixed, deterministic and its labels point into the snippets", () => {
  const set = generateEvalSet();
  assert.ok(set.length >= 200, `${set.length} snippets`);
  const languages = new Set(set.map((snippet) => snippet.language));
  for (const language of ["typescript", "javascript", "python"])
    assert.ok(languages.has(language as never), language);
  assert.deepEqual(generateEvalSet(evalSeed), set, "same seed, same set");
  assert.notDeepEqual(generateEvalSet(evalSeed + 1), set);
  const clean = set.filter((snippet) => snippet.planted.length === 0).length;
  assert.ok(clean >= 40 && clean <= set.length - 100, `${clean} clean snippets (hard negatives only)`);
  for (const kind of ["unknownSymbol", "unknownMember", "unknownPackage"] as const) {
    assert.ok(
      set.flatMap((snippet) => snippet.planted).filter((label) => label.kind === kind).length >= 30,
      `enough ${kind} plants`,
    );
  }
  for (const snippet of set)
    for (const label of snippet.planted)
      assert.ok(snippet.snippet.includes(label.name), `${snippet.id}: ${label.name} is in the snippet`);
});

test("the detector finds planted unknown symbols and packages: recall >= 0.9 at precision >= 0.95", async () => {
  const report = await evaluateDetector();
  const lines = Object.entries(report.scores).map(
    ([kind, score]) => `${kind}: precision ${score.precision.toFixed(3)} recall ${score.recall.toFixed(3)}`,
  );
  const detail = [
    ...lines,
    ...report.mistakes
      .slice(0, 20)
      .map(
        (mistake) =>
          `${mistake.id} ${mistake.type} ${mistake.kind} ${mistake.name} ${mistake.evidence ?? ""}`,
      ),
  ].join("\n");
  for (const kind of ["unknownSymbol", "unknownPackage"] as const) {
    assert.ok(report.scores[kind].precision >= 0.95, `${kind} precision\n${detail}`);
    assert.ok(report.scores[kind].recall >= 0.9, `${kind} recall\n${detail}`);
  }
  // Unknown members are judged only where the receiver's type is knowable; they must stay precise.
  assert.ok(report.scores.unknownMember.precision >= 0.95, `unknownMember precision\n${detail}`);
});
