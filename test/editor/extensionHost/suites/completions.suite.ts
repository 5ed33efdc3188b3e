/// <reference types="mocha" />
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {
  completeAt,
  coopExtension,
  engineHostProcesses,
  insertedText,
  workspaceUri,
} from "../support/coop.js";
import { reportCursor } from "../workspaceFixture.js";

suite("inline completions", () => {
  test("the provider suggests text at the cursor of a TypeScript file, from the embedded variant in the engine process", async function () {
    // The first completion starts the engine process and loads coop-tiny (built into COOP_CACHE_DIR once).
    this.timeout(240_000);
    const { api } = await coopExtension();
    const document = await vscode.workspace.openTextDocument(workspaceUri("src/report.ts"));
    assert.equal(document.languageId, "typescript");
    const position = new vscode.Position(reportCursor.line, reportCursor.character);
    const items = await completeAt(api, document, position);
    assert.ok(items.length > 0, `no suggestion; Coop's status: ${JSON.stringify(api.engineStatus())}`);
    assert.notEqual(insertedText(items[0]!).trim(), "");
    assert.ok(items[0]!.range?.start.isEqual(position), "the suggestion is inserted at the cursor");
    const status = api.engineStatus();
    assert.equal(status.host, "running");
    assert.equal(status.variant, "coop-tiny");
    assert.equal(status.loading, false);
    assert.equal(status.error, undefined);
    const processes = engineHostProcesses();
    if (processes) assert.equal(processes.length, 1, "one engine host process serves the extension host");
  });

  test("a document in an excluded language (markdown) gets no suggestion", async () => {
    const { api } = await coopExtension();
    const document = await vscode.workspace.openTextDocument({
      language: "markdown",
      content: "# Notes\n\nThe invoice total is ",
    });
    assert.deepEqual(await completeAt(api, document, document.positionAt(document.getText().length)), []);
  });
});
