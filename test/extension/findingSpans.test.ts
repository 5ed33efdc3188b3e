import assert from "node:assert/strict";
import { test } from "node:test";
import {
  locateFindings,
  spanAfterEdit,
  stillWritten,
  type CompletionFinding,
} from "../../extension/findings/findingSpans.js";

const finding = (kind: CompletionFinding["kind"], name: string): CompletionFinding => ({
  kind,
  name,
  evidence: "",
  suggestions: [],
});

test("a finding's name is marked wherever it is a whole word, a member after its receiver, a package in quotes", () => {
  const text =
    'import { x } from "lodsh";\nconst resolvedMessages = order.totl + resolvedMessagesCount;\nlog(resolvedMessages, totl);';
  const spans = locateFindings(text, [
    finding("unknownSymbol", "resolvedMessages"),
    finding("unknownMember", "order.totl"),
    finding("unknownPackage", "lodsh"),
  ]);
  assert.deepEqual(
    spans.map((span) => [span.marked, text.slice(span.start, span.end), span.start]),
    [
      ["lodsh", "lodsh", text.indexOf("lodsh")],
      ["resolvedMessages", "resolvedMessages", text.indexOf("resolvedMessages")],
      ["totl", "totl", text.indexOf("totl")],
      ["resolvedMessages", "resolvedMessages", text.lastIndexOf("resolvedMessages")],
    ],
  );
});

test("a name with regex characters is found literally", () => {
  const spans = locateFindings("$scope.x + a$b", [
    finding("unknownSymbol", "$scope"),
    finding("unknownSymbol", "a$b"),
  ]);
  assert.deepEqual(
    spans.map((span) => [span.start, span.end]),
    [
      [0, 6],
      [11, 14],
    ],
  );
});

test("a mark moves with edits before it, stays for edits after it, and goes when an edit overlaps it", () => {
  const span = { start: 10, end: 20 };
  assert.deepEqual(spanAfterEdit(span, { start: 0, end: 2, insertedLength: 5 }), { start: 13, end: 23 });
  assert.deepEqual(spanAfterEdit(span, { start: 10, end: 10, insertedLength: 1 }), { start: 11, end: 21 });
  assert.deepEqual(spanAfterEdit(span, { start: 20, end: 25, insertedLength: 0 }), span);
  assert.equal(spanAfterEdit(span, { start: 12, end: 14, insertedLength: 2 }), undefined);
  assert.equal(spanAfterEdit(span, { start: 5, end: 11, insertedLength: 0 }), undefined);
  assert.equal(spanAfterEdit(span, { start: 10, end: 20, insertedLength: 15 }), undefined);
});

test("a mark stands only while the document still reads the name there as a whole word", () => {
  assert.ok(stillWritten("let abc = 1", 4, "abc"));
  assert.ok(!stillWritten("let xabc = 1", 5, "abc"), "glued to a word before");
  assert.ok(!stillWritten("let abcd = 1", 4, "abc"), "glued to a word after");
  assert.ok(!stillWritten("let abd = 1", 4, "abc"));
});
