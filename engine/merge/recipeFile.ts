import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import { JsonReader, JsonShapeError } from "../json/jsonShape.js";
import { MergeError } from "./mergeError.js";
import { parseMergeParams } from "./mergeParams.js";
import { MERGE_OUTPUT_TYPES, type MergeJob, type MergeJobInput, type MergeOutputType } from "./mergeJob.js";
import { readMergekitConfig } from "./mergekitConfig.js";
import { MERGE_METHODS } from "./methods/index.js";
import { describeError } from "../errors/index.js";

/** A merge recipe file: a MergeJob without the output path, with paths relative to the recipe file. */
export type MergeRecipe = Omit<MergeJob, "output" | "signal" | "onProgress"> & {
  output: { kind: "model"; type: MergeOutputType } | { kind: "adapter"; rank: number };
};

/**
 * Reads a recipe such as
 * `{"method": "ties", "base": "base.gguf", "inputs": [{"path": "a.gguf", "weight": 1, "density": 0.5}],
 *   "params": {"lambda": 1}, "seed": 0, "output": {"type": "Q8_0"}, "name": "my-merge"}`;
 * `output` is `{"type": "F32" | "F16" | "Q8_0"}` (a full model, default F16) or `{"adapterRank": N}`.
 */
export function parseMergeRecipe(json: unknown, file: string): MergeRecipe {
  const r = new JsonReader(file);
  const root = r.object(json, "$", [
    "$schema",
    "method",
    "base",
    "inputs",
    "params",
    "seed",
    "output",
    "name",
  ]);
  const relativePath = (value: unknown, path: string): string => {
    const text = r.string(value, path, {
      regex: /\.gguf$/i,
      description: "a path to a .gguf file (relative to the recipe)",
    });
    return isAbsolute(text) ? text : resolve(file, "..", text);
  };
  const method = r.oneOf(root.method, "$.method", MERGE_METHODS);
  const inputs: MergeJobInput[] = r.array(root.inputs, "$.inputs").map((item, i) => {
    const p = `$.inputs[${i}]`;
    const input = r.object(item, p, ["path", "weight", "density"]);
    return {
      path: relativePath(input.path, `${p}.path`),
      weight: input.weight === undefined ? 1 : r.number(input.weight, `${p}.weight`),
      density: r.optional(input.density, (v) =>
        r.number(v, `${p}.density`, { min: 0, exclusiveMin: true, max: 1 }),
      ),
    };
  });
  if (inputs.length === 0) r.fail("$.inputs", "at least one input");
  let output: MergeRecipe["output"] = { kind: "model", type: "F16" };
  if (root.output !== undefined) {
    const o = r.object(root.output, "$.output", ["type", "adapterRank"]);
    if (o.type !== undefined && o.adapterRank !== undefined)
      r.fail("$.output", "either type (a full model) or adapterRank (an adapter), not both");
    if (o.adapterRank !== undefined)
      output = {
        kind: "adapter",
        rank: r.number(o.adapterRank, "$.output.adapterRank", { integer: true, min: 1 }),
      };
    else if (o.type !== undefined)
      output = { kind: "model", type: r.oneOf(o.type, "$.output.type", MERGE_OUTPUT_TYPES) };
  }
  return {
    method,
    base: r.optional(root.base, (v) => relativePath(v, "$.base")),
    inputs,
    params: root.params === undefined ? {} : parseMergeParams(r, root.params, "$.params"),
    seed: root.seed === undefined ? 0 : r.number(root.seed, "$.seed", { integer: true, min: 0 }),
    output,
    name: r.optional(root.name, (v) => r.string(v, "$.name")),
  };
}

/**
 * A mergekit config, as `mergekit-yaml` takes it, as a recipe: model paths are .gguf files relative to the
 * recipe; the output type comes from out_dtype or dtype (default F16).
 */
export function parseMergekitRecipe(config: unknown, file: string): MergeRecipe {
  const r = new JsonReader(file);
  const modelPath = (value: unknown, path: string): string => {
    if (typeof value === "string" && value.includes("+") && !/\.gguf$/i.test(value))
      r.fail(
        path,
        "a path to a .gguf file; model+lora (a LoRA applied before merging) is not supported: merge GGUF adapters with Coop's adapter merge instead",
        value,
      );
    const text = r.string(value, path, {
      regex: /\.gguf$/i,
      description:
        "a path to a .gguf file (relative to the recipe); Coop merges GGUF files, not Hugging Face repositories",
    });
    return isAbsolute(text) ? text : resolve(file, "..", text);
  };
  const merge = readMergekitConfig(r, config, "$", modelPath);
  return {
    method: merge.method,
    base: merge.base,
    inputs: merge.inputs.map(({ model, weight, density }) => ({ path: model, weight, density })),
    params: merge.params,
    seed: 0,
    output: { kind: "model", type: merge.outputType ?? "F16" },
  };
}

/** A recipe whose file name ends in .yaml or .yml is a mergekit config; any other is Coop's JSON. */
export function isMergekitRecipeFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true });
  const [error] = document.errors;
  if (error !== undefined) throw new JsonShapeError(file, "$", `not valid YAML: ${error.message}`);
  return document.toJS({ maxAliasCount: 100 });
}

export async function readMergeRecipe(file: string): Promise<MergeRecipe> {
  const text = await readFile(file, "utf8").catch((error: unknown) => {
    throw new MergeError(`cannot read the merge recipe ${file}: ${describeError(error)}`);
  });
  if (isMergekitRecipeFile(file)) return parseMergekitRecipe(parseYaml(text, file), file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new JsonShapeError(file, "$", `not valid JSON: ${describeError(error)}`);
  }
  return parseMergeRecipe(json, file);
}
