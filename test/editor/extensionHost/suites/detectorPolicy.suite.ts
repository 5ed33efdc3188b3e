/// <reference types="mocha" />
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {
  completeAt,
  coopExtension,
  insertedText,
  setWorkspaceSetting,
  waitUntil,
  workspaceUri,
} from "../support/coop.js";
import { reportCursor } from "../workspaceFixture.js";

suite("detector policy", () => {
  let document: vscode.TextDocument;
  const position = new vscode.Position(reportCursor.line, reportCursor.character);

  suiteSetup(async () => {
    document = await vscode.workspace.openTextDocument(workspaceUri("src/report.ts"));
  });

  teardown(async () => {
    await setWorkspaceSetting("detector.policy", undefined, document.uri);
  });

  test("annotate shows a suggestion that uses a name the workspace does not define, suppress hides it", async function () {
    this.timeout(120_000);
    const { api } = await coopExtension();
    await setWorkspaceSetting("detector.policy", "annotate", document.uri);
    const annotated = await completeAt(api, document, position);
    assert.ok(annotated.length > 0, "annotate shows the suggestion");
    const text = insertedText(annotated[0]!);

    // The detector checks against the workspace's index, which the engine builds after its first
    // completion: under suppress the suggestion disappears once the index is there.
    await setWorkspaceSetting("detector.policy", "suppress", document.uri);
    await waitUntil(
      "Coop hides the suggestion under the suppress policy",
      async () => (await completeAt(api, document, position)).length === 0,
      60_000,
    );

    await setWorkspaceSetting("detector.policy", "annotate", document.uri);
    const again = await completeAt(api, document, position);
    assert.equal(again.length, 1, "annotate shows it again: the policy, not the engine, hid it");
    assert.equal(insertedText(again[0]!), text);
  });

  test("off shows, unchecked, the suggestion that suppress hides", async function () {
    this.timeout(120_000);
    const { api } = await coopExtension();
    await setWorkspaceSetting("detector.policy", "suppress", document.uri);
    await waitUntil(
      "Coop hides the suggestion under the suppress policy",
      async () => (await completeAt(api, document, position)).length === 0,
      60_000,
    );
    await setWorkspaceSetting("detector.policy", "off", document.uri);
    assert.equal((await completeAt(api, document, position)).length, 1);
  });
});
