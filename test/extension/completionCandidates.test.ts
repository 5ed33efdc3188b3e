import assert from "node:assert/strict";
import { test } from "node:test";
import { OfferedCandidates, completionCandidates } from "../../extension/completions/completionCandidates.js";

const unknown = {
  kind: "unknownSymbol" as const,
  name: "totl",
  evidence: "not defined",
  suggestions: ["total"],
};

test("the answer comes first, then the other best-of-n candidates in drawn order, then the pipeline's alternatives", () => {
  const offered = completionCandidates(
    {
      text: "b()",
      bestOfN: {
        candidates: [
          { text: "a()", certainFindings: 0, findings: 0 },
          { text: "b()", certainFindings: 0, findings: 0 },
          { text: "c()", certainFindings: 0, findings: 0 },
        ],
        chosen: 1,
        dropped: 0,
      },
      alternatives: [{ text: "totl()", origin: "cascade-draft", findings: [unknown] }],
    },
    undefined,
    "annotate",
  );
  assert.deepEqual(
    offered.map((candidate) => [candidate.text, candidate.origin]),
    [
      ["b()", "answer"],
      ["a()", "best-of-n"],
      ["c()", "best-of-n"],
      ["totl()", "cascade-draft"],
    ],
  );
  assert.deepEqual(offered[3]!.check, { action: "annotate", repaired: false, findings: [unknown] });
});

test("repeated and empty texts are offered once or not at all; suppress leaves out flagged alternatives", () => {
  const result = {
    text: "total()",
    alternatives: [
      { text: "total()", origin: "before-repair" as const, findings: [] },
      { text: "  ", origin: "cascade-draft" as const, findings: [] },
      { text: "totl()", origin: "before-repair" as const, findings: [unknown] },
    ],
    bestOfN: {
      candidates: [
        { text: "total()", certainFindings: 0, findings: 0 },
        { text: "totl(x)", certainFindings: 1, findings: 1 },
      ],
      chosen: 0,
      dropped: 0,
    },
  };
  assert.deepEqual(
    completionCandidates(result, undefined, "annotate").map((candidate) => candidate.text),
    ["total()", "totl(x)", "totl()"],
  );
  assert.deepEqual(
    completionCandidates(result, undefined, "suppress").map((candidate) => candidate.text),
    ["total()"],
  );
});

test("asked again at the same place, a cached answer alone brings back the alternatives offered there", () => {
  const offered = new OfferedCandidates();
  const first = [
    { text: "a()", origin: "answer" as const },
    { text: "b()", origin: "best-of-n" as const },
  ];
  assert.deepEqual(offered.offer("doc@1:10", first), first);
  assert.deepEqual(offered.offer("doc@1:10", [{ text: "a()", origin: "answer" }]), first);
  assert.deepEqual(offered.offer("doc@2:11", [{ text: "a()", origin: "answer" }]), [
    { text: "a()", origin: "answer" },
  ]);
  assert.deepEqual(offered.offer("doc@1:10", [{ text: "c()", origin: "answer" }]), [
    { text: "c()", origin: "answer" },
  ]);
});
