import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { JsonShapeError, parseCatalogLayer } from "../../engine/catalog/index.js";
import { openGguf } from "../../engine/gguf/index.js";
import { readMergeRecipe } from "../../engine/merge/index.js";
import { fixtures } from "../support/fixtures.js";
import { withTempDir } from "../support/ggufTemp.js";
import { repoRoot } from "../support/repoRoot.js";

const run = promisify(execFile);

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

/** Shaped like mergekit's own TIES example (examples/ties.yml): two fine-tunes over a base. */
function tiesYaml(base: string, python: string, cpp: string): string {
  return `models:
  - model: ${base}
    # no parameters necessary for base model
  - model: ${python}
    parameters:
      density: 0.5
      weight: 0.6
  - model: ${cpp}
    parameters:
      density: 0.3
      weight: 0.4
merge_method: ties
base_model: ${base}
parameters:
  normalize: true
  int8_mask: true
dtype: float16
`;
}

async function assertSameTensors(a: string, b: string): Promise<void> {
  const [left, right] = [await openGguf(a), await openGguf(b)];
  try {
    assert.deepEqual(
      left.tensors.map((t) => [t.name, t.type, t.dims]),
      right.tensors.map((t) => [t.name, t.type, t.dims]),
    );
    for (const tensor of left.tensors) {
      const chunks = async (file: typeof left): Promise<Buffer> => {
        const parts: Uint8Array[] = [];
        for await (const chunk of file.streamTensorBytes(tensor.name, 8 << 20)) parts.push(chunk.slice());
        return Buffer.concat(parts);
      };
      assert.ok((await chunks(left)).equals(await chunks(right)), `tensor ${tensor.name} differs`);
    }
  } finally {
    await Promise.all([left.close(), right.close()]);
  }
}

describe("mergekit YAML recipes", () => {
  test("mergekit's TIES example shape merges the fixture fine-tunes into the same tensors as the JSON recipe", () =>
    withTempDir(async (dir) => {
      const set = await fixtures();
      const { python, cpp } = set.fineTunes as { python: string; cpp: string };
      await writeFile(join(dir, "ties.yaml"), tiesYaml(set.target, python, cpp));
      await writeFile(
        join(dir, "ties.json"),
        JSON.stringify({
          method: "ties",
          base: set.target,
          inputs: [
            { path: python, weight: 0.6, density: 0.5 },
            { path: cpp, weight: 0.4, density: 0.3 },
          ],
          params: { normalize: true },
          output: { type: "F16" },
        }),
      );
      const { name, ...jsonRecipe } = await readMergeRecipe(join(dir, "ties.json"));
      assert.equal(name, undefined);
      assert.deepEqual(await readMergeRecipe(join(dir, "ties.yaml")), jsonRecipe);

      const fromYaml = await coop(["merge", join(dir, "ties.yaml"), "--out", join(dir, "yaml.gguf")]);
      assert.equal(fromYaml.code, 0, fromYaml.stderr);
      assert.match(fromYaml.stdout, /method:\s+ties/);
      assert.match(fromYaml.stdout, /merged tensors F16/);
      const fromJson = await coop(["merge", join(dir, "ties.json"), "--out", join(dir, "json.gguf")]);
      assert.equal(fromJson.code, 0, fromJson.stderr);
      await assertSameTensors(join(dir, "yaml.gguf"), join(dir, "json.gguf"));
    }));

  test("maps every supported field: relative paths, global weight and density, lambda, slerp's ends, out_dtype", () =>
    withTempDir(async (dir) => {
      const write = async (name: string, text: string): Promise<string> => {
        await writeFile(join(dir, name), text);
        return join(dir, name);
      };
      const dare = await readMergeRecipe(
        await write(
          "dare.yml",
          `merge_method: dare_ties
base_model: base.gguf
models:
  - model: a.gguf
  - model: sub/b.gguf
    parameters: { weight: 2 }
parameters: { weight: 0.5, density: 0.7, lambda: 1.5, rescale: true }
out_dtype: float32
`,
        ),
      );
      assert.deepEqual(dare, {
        method: "dare_ties",
        base: join(dir, "base.gguf"),
        inputs: [
          { path: join(dir, "a.gguf"), weight: 0.5, density: 0.7 },
          { path: join(dir, "sub/b.gguf"), weight: 2, density: 0.7 },
        ],
        params: { lambda: 1.5 },
        seed: 0,
        output: { kind: "model", type: "F32" },
      });
      const slerp = await readMergeRecipe(
        await write(
          "slerp.yaml",
          `models:
  - model: tuned.gguf
merge_method: slerp
base_model: base.gguf
parameters:
  t: 0.3
`,
        ),
      );
      assert.deepEqual(
        slerp.inputs.map((input) => input.path),
        [join(dir, "base.gguf"), join(dir, "tuned.gguf")],
        "t = 0 is the base model, as mergekit",
      );
      assert.deepEqual(slerp.params, { t: 0.3 });
      const sce = await readMergeRecipe(
        await write(
          "sce.yaml",
          `merge_method: sce\nbase_model: b.gguf\nmodels: [{model: x.gguf}, {model: y.gguf}]\nparameters: {select_topk: 0.1}\n`,
        ),
      );
      assert.deepEqual(sce.params, { selectTopK: 0.1 });
    }));

  test("what Coop cannot do as mergekit would is refused, naming the YAML path", () =>
    withTempDir(async (dir) => {
      const cases: [string, RegExp][] = [
        [
          `slices:\n  - sources:\n      - model: a.gguf\n        layer_range: [0, 16]\nmerge_method: passthrough\n`,
          /\$\.slices: slices and layer_range .* not supported: Coop merges whole models/,
        ],
        [
          `merge_method: ties\nbase_model: b.gguf\nmodels: [{model: a.gguf, parameters: {weight: 1}}]\ntokenizer_source: union\n`,
          /\$\.tokenizer_source: tokenizer surgery is not supported \(got "union"\)/,
        ],
        [
          `merge_method: della\nbase_model: b.gguf\nmodels: [{model: a.gguf}]\n`,
          /\$\.merge_method: 'della' is a mergekit method Coop does not implement/,
        ],
        [
          `merge_method: frankenmerge\nmodels: [{model: a.gguf}]\n`,
          /\$\.merge_method: expected one of "linear", .*got "frankenmerge"/,
        ],
        [
          `merge_method: ties\nbase_model: b.gguf\nmodels:\n  - model: a.gguf\n    parameters:\n      density: [1, 0.7, 0.1]\n      weight: 1\n`,
          /\$\.models\[0\]\.parameters\.density: a gradient \(list\) or per-tensor filter is not supported/,
        ],
        [
          `merge_method: ties\nbase_model: b.gguf\nmodels:\n  - model: a.gguf\n    parameters: {density: 0.5}\n`,
          /\$\.models\[0\]\.parameters\.weight: expected a weight for each model \(mergekit's ties requires one/,
        ],
        [
          `merge_method: ties\nbase_model: b.gguf\nmodels:\n  - model: a.gguf\n    parameters: {weight: .inf}\n`,
          /\$\.models\[0\]\.parameters\.weight: expected a number, got Infinity \(not a finite number\)/,
        ],
        [
          `merge_method: ties\nbase_model: b.gguf\nmodels:\n  - model: a.gguf\n    parameters: {weight: 1e999}\n`,
          /\$\.models\[0\]\.parameters\.weight: expected a number, got Infinity \(not a finite number\)/,
        ],
        [
          `merge_method: linear\nmodels:\n  - model: mistralai/Mistral-7B-v0.1\n    parameters: {weight: 1}\n`,
          /\$\.models\[0\]\.model: expected a path to a \.gguf file \(relative to the recipe\); Coop merges GGUF files, not Hugging Face repositories/,
        ],
        [
          `merge_method: linear\nmodels:\n  - model: base+my-lora\n    parameters: {weight: 1}\n`,
          /\$\.models\[0\]\.model: .*model\+lora .* is not supported/,
        ],
        [
          `merge_method: linear\nmodels: [{model: a.gguf, parameters: {weight: 1}}]\ndtype: bfloat16\n`,
          /\$\.dtype: bfloat16 output is not supported/,
        ],
        [
          `merge_method: dare_linear\nbase_model: b.gguf\nmodels: [{model: a.gguf, parameters: {weight: 1}}]\nparameters: {rescale: false}\n`,
          /\$\.parameters\.rescale: rescale: false is not supported: Coop's DARE always rescales/,
        ],
        [
          `merge_method: ties\nmodels: [{model: a.gguf, parameters: {weight: 1}}]\n`,
          /\$\.base_model: expected the base model \(ties needs one\)/,
        ],
        [
          `merge_method: slerp\nbase_model: b.gguf\nmodels: [{model: a.gguf}]\nparameters: {t: [0, 0.5, 1]}\n`,
          /\$\.parameters\.t: a gradient \(list\) or per-tensor filter is not supported/,
        ],
        [
          `merge_method: linear\nmodels: [{model: a.gguf, parameters: {weight: 1, gamma: 0.01}}]\n`,
          /\$\.models\[0\]\.parameters\.gamma: unknown key; the keys allowed here are weight/,
        ],
        [`merge_method: linear\nmerge_method: ties\n`, /\$: not valid YAML: Map keys must be unique/],
      ];
      for (const [i, [yaml, pattern]] of cases.entries()) {
        const file = join(dir, `case-${i}.yaml`);
        await writeFile(file, yaml);
        await assert.rejects(
          readMergeRecipe(file),
          (e: unknown) =>
            e instanceof JsonShapeError && e.message.startsWith(file) && pattern.test(e.message),
          `case ${i}: ${yaml}`,
        );
      }
      const cli = await coop(["merge", join(dir, "case-0.yaml"), "--out", join(dir, "out.gguf")]);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /case-0\.yaml: \$\.slices: slices and layer_range/);
      assert.ok(!existsSync(join(dir, "out.gguf")));
    }));
});

describe("models.json merged variants written as mergekit configs", () => {
  const layer = (merge: unknown): unknown => ({
    version: 1,
    variants: [{ id: "merged", label: "Merged", description: "A merge", merge }],
  });

  test("a mergekit config under merge.mergekit reads as the native merge entry", () => {
    const native = parseCatalogLayer(
      layer({
        method: "ties",
        base: "tiny-target",
        inputs: [
          { id: "tiny-target-ft-python", weight: 1, density: 0.5 },
          { id: "tiny-target-ft-cpp", weight: 1, density: 0.5 },
        ],
        params: { lambda: 1 },
        outputType: "Q8_0",
      }),
      "models.json",
    );
    const mergekit = parseCatalogLayer(
      layer({
        mergekit: {
          merge_method: "ties",
          base_model: "tiny-target",
          models: [
            { model: "tiny-target" },
            { model: "tiny-target-ft-python", parameters: { weight: 1, density: 0.5 } },
            { model: "tiny-target-ft-cpp", parameters: { weight: 1, density: 0.5 } },
          ],
          parameters: { lambda: 1, int8_mask: true },
        },
      }),
      "models.json",
    );
    assert.deepEqual(mergekit.variants[0]!.merge, native.variants[0]!.merge);
    assert.equal(mergekit.variants[0]!.target, "tiny-target");
    const f16 = parseCatalogLayer(
      layer({
        mergekit: {
          merge_method: "linear",
          base_model: "tiny-target",
          models: [{ model: "tiny-target-ft-python", parameters: { weight: 1 } }],
          dtype: "float16",
        },
        seed: 3,
      }),
      "models.json",
    );
    assert.equal(f16.variants[0]!.merge!.outputType, "F16");
    assert.equal(f16.variants[0]!.merge!.seed, 3);
  });

  test("errors name the path inside the catalog", () => {
    const cases: [unknown, RegExp][] = [
      [
        {
          mergekit: {
            merge_method: "ties",
            base_model: "tiny-target",
            models: [{ model: "tiny-target-ft-python", parameters: { weight: 1, density: [0.5, 0.1] } }],
          },
        },
        /\$\.variants\[0\]\.merge\.mergekit\.models\[0\]\.parameters\.density: a gradient/,
      ],
      [
        {
          method: "ties",
          mergekit: { merge_method: "ties", base_model: "tiny-target", models: [] },
        },
        /\$\.variants\[0\]\.merge\.method: expected no method beside mergekit/,
      ],
      [
        {
          mergekit: {
            merge_method: "linear",
            models: [{ model: "tiny-target-ft-python", parameters: { weight: 1 } }],
          },
        },
        /\$\.variants\[0\]\.merge\.mergekit\.base_model: expected the base model's id/,
      ],
      [
        {
          outputType: "Q8_0",
          mergekit: {
            merge_method: "linear",
            base_model: "tiny-target",
            models: [{ model: "tiny-target-ft-python", parameters: { weight: 1 } }],
            dtype: "float16",
          },
        },
        /\$\.variants\[0\]\.merge\.outputType: expected either outputType or the mergekit config's dtype/,
      ],
    ];
    for (const [merge, pattern] of cases)
      assert.throws(
        () => parseCatalogLayer(layer(merge), "models.json"),
        (e: unknown) => e instanceof JsonShapeError && pattern.test(e.message),
        JSON.stringify(merge),
      );
  });
});
