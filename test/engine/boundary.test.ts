import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { repoRoot } from "../support/repoRoot.js";

const run = promisify(execFile);
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

/** Type-checks one probe file placed under engine/ with engine/'s compiler settings. */
async function typeCheckProbeInEngine(source: string): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(repoRoot, "engine", ".boundary-probe-"));
  try {
    await writeFile(join(dir, "probe.ts"), source);
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../tsconfig.json", include: ["probe.ts"] }),
    );
    try {
      const { stdout } = await run(process.execPath, [tsc, "-p", dir], { cwd: repoRoot });
      return { ok: true, output: stdout };
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("engine/ cannot import vscode: the compiler refuses it", async () => {
  const result = await typeCheckProbeInEngine(
    'import * as vscode from "vscode";\nexport const name = vscode.version;\n',
  );
  assert.equal(result.ok, false, "an engine/ file importing vscode must fail the type-check");
  assert.match(result.output, /engine\/ must not import vscode/);
});

test("the same probe without the vscode import type-checks (the refusal is about vscode)", async () => {
  const result = await typeCheckProbeInEngine('import { sep } from "node:path";\nexport const name = sep;\n');
  assert.equal(result.ok, true, result.output);
});
