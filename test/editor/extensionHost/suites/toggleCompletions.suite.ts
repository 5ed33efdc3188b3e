/// <reference types="mocha" />
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { completeAt, coopExtension, workspaceUri } from "../support/coop.js";
import { reportCursor } from "../workspaceFixture.js";

suite("Coop: Toggle Inline Completions", () => {
  teardown(async () => {
    await vscode.workspace
      .getConfiguration("coop")
      .update("completions.enabled", undefined, vscode.ConfigurationTarget.Global);
  });

  test("turns Coop's suggestions off for the user, and on again", async function () {
    this.timeout(120_000);
    const { api } = await coopExtension();
    const document = await vscode.workspace.openTextDocument(workspaceUri("src/report.ts"));
    const position = new vscode.Position(reportCursor.line, reportCursor.character);
    const enabled = (): boolean | undefined =>
      vscode.workspace.getConfiguration("coop").inspect<boolean>("completions.enabled")?.globalValue;

    await vscode.commands.executeCommand("coop.toggleCompletions");
    assert.equal(enabled(), false, "the user setting is off");
    assert.deepEqual(await completeAt(api, document, position), [], "no suggestion while off");

    await vscode.commands.executeCommand("coop.toggleCompletions");
    assert.equal(enabled(), true, "the user setting is on");
    assert.ok((await completeAt(api, document, position)).length > 0, "suggestions again");
  });
});
