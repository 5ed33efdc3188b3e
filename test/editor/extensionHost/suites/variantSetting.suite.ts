/// <reference types="mocha" />
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { completeAt, coopExtension, setWorkspaceSetting, waitUntil, workspaceUri } from "../support/coop.js";
import { reportCursor } from "../workspaceFixture.js";

suite("the workspace's variant (coop.variant)", () => {
  const position = new vscode.Position(reportCursor.line, reportCursor.character);

  teardown(async () => {
    await setWorkspaceSetting("variant", undefined);
  });

  test("set for the workspace, it is the variant the next completion loads, and it is saved in the workspace's settings", async function () {
    this.timeout(240_000);
    const { api } = await coopExtension();
    const document = await vscode.workspace.openTextDocument(workspaceUri("src/report.ts"));
    await setWorkspaceSetting("variant", "coop-tiny-python");
    await waitUntil(
      "Coop's status names coop-tiny-python",
      () => api.engineStatus().variant === "coop-tiny-python",
    );

    const items = await completeAt(api, document, position);
    assert.ok(
      items.length > 0,
      `no suggestion from coop-tiny-python; status: ${JSON.stringify(api.engineStatus())}`,
    );
    // The draft may answer while the target still loads (coop.ensemble.preference routes requests).
    await waitUntil("coop-tiny-python is loaded", () => !api.engineStatus().loading);
    const status = api.engineStatus();
    assert.equal(status.variant, "coop-tiny-python");
    assert.equal(status.loading, false);
    assert.equal(status.error, undefined);
    const settings = Buffer.from(
      await vscode.workspace.fs.readFile(workspaceUri(".vscode/settings.json")),
    ).toString("utf8");
    assert.match(settings, /"coop\.variant"\s*:\s*"coop-tiny-python"/);
  });

  test("a variant the catalog does not have gives no suggestion and a status that names it", async function () {
    this.timeout(120_000);
    const { api } = await coopExtension();
    const document = await vscode.workspace.openTextDocument(workspaceUri("src/report.ts"));
    await setWorkspaceSetting("variant", "no-such-variant");
    assert.deepEqual(await completeAt(api, document, position), []);
    const status = api.engineStatus();
    assert.equal(status.variant, "no-such-variant");
    assert.match(status.error ?? "", /no-such-variant/, "the error names the variant");
  });
});
