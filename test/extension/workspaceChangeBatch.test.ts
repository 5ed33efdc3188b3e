import assert from "node:assert/strict";
import { test } from "node:test";
import { inputLimits } from "../../engine/host/contract/index.js";
import { editedLines, WorkspaceChangeBatch } from "../../extension/workspace/changeBatch.js";

const at = (line: number, text: string) => ({ range: { start: { line } }, text });

test("the lines an edit touched count the newlines it put in", () => {
  assert.deepEqual(editedLines([at(4, "x"), at(10, "a\nb\nc")]), [
    { startLine: 4, endLine: 4 },
    { startLine: 10, endLine: 12 },
  ]);
});

test("a batch sends each document's newest text once, with its edited lines merged", () => {
  const batch = new WorkspaceChangeBatch();
  let text = "one";
  batch.noteEdit("/w/a.ts", () => text, [{ startLine: 3, endLine: 3 }]);
  batch.noteEdit("/w/a.ts", () => text, [
    { startLine: 4, endLine: 5 },
    { startLine: 9, endLine: 9 },
  ]);
  text = "two";
  assert.deepEqual(batch.take(), {
    edited: [
      {
        path: "/w/a.ts",
        text: "two",
        editedLines: [
          { startLine: 3, endLine: 5 },
          { startLine: 9, endLine: 9 },
        ],
      },
    ],
  });
  assert.equal(batch.take(), undefined);
});

test("only the latest state of a path is sent", () => {
  const batch = new WorkspaceChangeBatch();
  batch.noteEdit("/w/closed.ts", () => "x", []);
  batch.noteClosed("/w/closed.ts");
  batch.noteDeleted("/w/back.ts");
  batch.noteWritten("/w/back.ts");
  batch.noteEdit("/w/gone.ts", () => "y", []);
  batch.noteDeleted("/w/gone.ts");
  batch.noteClosed("/w/gone.ts");
  batch.noteClosed("/w/reopened.ts");
  batch.noteEdit("/w/reopened.ts", () => "z", []);
  batch.noteOpenFiles(["/w/reopened.ts", "/w/reopened.ts"]);
  assert.deepEqual(batch.take(), {
    edited: [{ path: "/w/reopened.ts", text: "z", editedLines: [] }],
    written: ["/w/back.ts"],
    deleted: ["/w/gone.ts"],
    closed: ["/w/closed.ts"],
    openFiles: ["/w/reopened.ts"],
  });
});

test("a document longer than the engine takes is left to its file on disk", () => {
  const batch = new WorkspaceChangeBatch();
  batch.noteEdit("/w/huge.ts", () => "x".repeat(inputLimits.documentChars + 1), []);
  batch.noteWritten("/w/huge.ts");
  assert.deepEqual(batch.take(), { written: ["/w/huge.ts"] });
});
