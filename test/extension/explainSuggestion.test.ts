import assert from "node:assert/strict";
import { test } from "node:test";
import { explainSuggestion } from "../../extension/completions/explainSuggestion.js";
import type { CompletionCheck } from "../../engine/host/contract/index.js";

const finding: CompletionCheck["findings"][number] = {
  kind: "unknownMember",
  name: "emailAddress",
  evidence: "the TypeScript compiler: Property 'emailAddress' does not exist on type 'ZodString'.",
  suggestions: ["email"],
};

test("Explain Last Suggestion says the compiler judged", () => {
  const check: CompletionCheck = {
    action: "annotate",
    repaired: false,
    findings: [finding],
    checkedBy: "compiler",
  };
  assert.deepEqual(explainSuggestion({ text: "z.string().emailAddress()", check }), {
    warning: true,
    message:
      "Coop's last suggestion uses emailAddress (unknown member; did you mean email?). " +
      "Checked by the TypeScript compiler.",
  });
});

test("Explain Last Suggestion says why only the fast checker judged", () => {
  const check: CompletionCheck = {
    action: "show",
    repaired: false,
    findings: [],
    checkedBy: "fast",
    checkReason: "the compiler was over its 60 ms budget",
  };
  assert.deepEqual(explainSuggestion({ text: "req.params.id", check }), {
    warning: false,
    message:
      "Coop's last suggestion uses only names that exist: req.params.id " +
      "Checked by the fast checker only: the compiler was over its 60 ms budget.",
  });
});

test("Explain Last Suggestion of a suggestion checked without a word on the checker", () => {
  const check: CompletionCheck = { action: "hide", repaired: false, findings: [finding] };
  assert.equal(
    explainSuggestion({ text: "x", check }).message,
    "Coop's last suggestion was hidden: it uses emailAddress (unknown member; did you mean email?).",
  );
});
