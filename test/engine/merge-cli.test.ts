import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { GgmlType, gguf, openGguf, writeGguf } from "../../engine/gguf/index.js";
import { seededFloats, withTempDir } from "../support/ggufTemp.js";
import { repoRoot } from "../support/repoRoot.js";

const run = promisify(execFile);

/** Runs the CLI from source; resolves with its exit code and output instead of throwing on failure. */
async function coop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "engine/cli/main.ts"), ...args],
      { cwd: repoRoot },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

async function writeModel(path: string, seed: number): Promise<void> {
  await writeGguf(path, {
    metadata: { "general.architecture": gguf.str("llama"), "general.name": gguf.str(`m${seed}`) },
    tensors: [
      { name: "output_norm.weight", dims: [64], type: GgmlType.F32, data: seededFloats(64, seed) },
      { name: "output.weight", dims: [64, 32], type: GgmlType.F32, data: seededFloats(64 * 32, seed + 1) },
    ],
  });
}

describe("coop merge", () => {
  test("merges a recipe into --out and prints the summary", () =>
    withTempDir(async (dir) => {
      await writeModel(join(dir, "a.gguf"), 1);
      await writeModel(join(dir, "b.gguf"), 2);
      await writeFile(
        join(dir, "recipe.json"),
        JSON.stringify({
          method: "slerp",
          inputs: [{ path: "a.gguf" }, { path: "b.gguf" }],
          params: { t: 0.3 },
          output: { type: "F32" },
        }),
      );
      const { code, stdout, stderr } = await coop([
        "merge",
        join(dir, "recipe.json"),
        "--out",
        join(dir, "out.gguf"),
        "--type",
        "Q8_0",
      ]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /method:\s+slerp/);
      assert.match(stdout, /inputs:\s+a\.gguf, b\.gguf \(full models\)/);
      assert.match(stdout, /tensors: 2 written, 2 merged/);
      assert.match(stdout, /output:\s+.*out\.gguf \(model, merged tensors Q8_0\)/);
      const out = await openGguf(join(dir, "out.gguf"));
      assert.equal(out.tensor("output.weight")!.type, GgmlType.Q8_0, "--type overrides the recipe");
      assert.equal(out.tensor("output_norm.weight")!.type, GgmlType.F32);
      await out.close();
    }));

  test("a bad recipe fails with the JSON path, a bad command line with usage; no output either way", () =>
    withTempDir(async (dir) => {
      await writeFile(
        join(dir, "recipe.json"),
        JSON.stringify({ method: "ties", inputs: [{ path: "a.gguf", weight: "heavy" }] }),
      );
      const bad = await coop(["merge", join(dir, "recipe.json"), "--out", join(dir, "out.gguf")]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /recipe\.json: \$\.inputs\[0\]\.weight: expected a number, got "heavy"/);
      const usage = await coop(["merge", join(dir, "recipe.json")]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /expected one recipe file and --out <file\.gguf>/);
      assert.ok(!existsSync(join(dir, "out.gguf")));
    }));
});

describe("coop variants", () => {
  test("lists each variant with what it is made of: merges, ensembles' members, servers", () =>
    withTempDir(async (dir) => {
      await writeFile(
        join(dir, "team.json"),
        JSON.stringify({
          version: 1,
          variants: [
            {
              id: "team-python",
              label: "Team server, Python",
              description: "On the team's server.",
              target: "tiny-target",
              remote: {
                kind: "llama-server",
                url: "http://gpu-box:8080",
                adapters: [{ name: "python-lora" }],
              },
            },
          ],
        }),
      );
      const { code, stdout, stderr } = await coop(["variants", "--catalog", join(dir, "team.json")]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /coop-tiny \(default\): /);
      assert.match(
        stdout,
        /coop-tiny-ties: [^\n]*\n[^\n]*\n {2}target: +ties merge of tiny-target-ft-python \[[^\]]+\] x1, tiny-target-ft-cpp/,
      );
      assert.match(
        stdout,
        /coop-tiny-ensemble: [^\n]*\n[^\n]*\n {2}ensemble: +token-level average of coop-tiny x0\.5 \+ coop-tiny-ft-python x0\.5\n {4}coop-tiny: target tiny-target \[[^\]]+\]\n {4}coop-tiny-ft-python: target tiny-target-ft-python/,
      );
      assert.match(
        stdout,
        /team-python: [^\n]*\n[^\n]*\n {2}server: +llama-server at http:\/\/gpu-box:8080, model tiny-target, adapters python-lora scale 1\n/,
      );
    }));
});
