/// <reference types="mocha" />
import assert from "node:assert/strict";
import { coopExtension, engineHostProcesses } from "../support/coop.js";

suite("activation", () => {
  test("Coop activates without starting its engine process or loading a model", async () => {
    const { extension, api } = await coopExtension();
    assert.equal(extension.isActive, true);
    const status = api.engineStatus();
    assert.equal(status.host, "stopped", "the engine host starts on the first completion, not on activation");
    assert.equal(status.loading, false);
    assert.equal(status.error, undefined);
    assert.equal(status.variant, "coop-tiny", "the embedded default variant");
    const processes = engineHostProcesses();
    if (processes) assert.deepEqual(processes, [], "no engine host process runs before the first completion");
  });
});
