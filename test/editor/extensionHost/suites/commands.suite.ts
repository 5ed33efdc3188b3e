/// <reference types="mocha" />
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { coopExtension } from "../support/coop.js";

suite("commands", () => {
  test("every command package.json contributes is registered", async () => {
    const { extension } = await coopExtension();
    const contributed = (
      extension.packageJSON as { contributes: { commands: { command: string }[] } }
    ).contributes.commands.map((entry) => entry.command);
    assert.ok(contributed.length > 0, "package.json contributes commands");
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((command) => !registered.has(command)),
      [],
      "contributed but not registered",
    );
  });
});
