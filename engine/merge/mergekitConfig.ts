import { JsonShapeError, type JsonReader } from "../json/jsonShape.js";
import type { MergeOutputType } from "./mergeJob.js";
import { MERGE_METHODS, type MergeMethod, type MergeParams } from "./methods/index.js";

/**
 * A mergekit merge config (the YAML `mergekit-yaml` takes) in Coop's terms. Model references are what
 * `readModel` made of them: file paths for `coop merge`, catalog ids for a models.json variant.
 */
export interface MergekitMerge {
  method: MergeMethod;
  base?: string;
  inputs: { model: string; weight: number; density?: number }[];
  params: MergeParams;
  /** From out_dtype, else dtype; undefined when neither is given. */
  outputType?: MergeOutputType;
}

/** Reads a model reference at a YAML path, failing with a message that names it. */
export type ModelReader = (value: unknown, path: string) => string;

const TASK_VECTOR_METHODS: ReadonlySet<MergeMethod> = new Set([
  "task_arithmetic",
  "ties",
  "dare_linear",
  "dare_ties",
  "sce",
]);

/** mergekit methods Coop does not have, so a recipe using one is told so rather than "unknown". */
const MERGEKIT_ONLY_METHODS = [
  "breadcrumbs",
  "breadcrumbs_ties",
  "della",
  "della_linear",
  "model_stock",
  "nuslerp",
  "multislerp",
  "karcher",
  "arcee_fusion",
  "nearswap",
  "passthrough",
];

/** Top-level keys of a mergekit config that Coop refuses, with why. */
const UNSUPPORTED_KEYS: Record<string, string> = {
  slices:
    "slices and layer_range (merging or stacking ranges of layers) are not supported: Coop merges whole models tensor by tensor; list them under models instead",
  modules: "modules (per-module merge configs) are not supported: Coop merges whole models",
  tokenizer:
    "tokenizer surgery is not supported: the inputs must share one tokenizer, and the output keeps the base's",
  chat_template:
    "chat_template is not supported: the output keeps the chat template of the base (or first) model",
};

const ROOT_KEYS = [
  "merge_method",
  "base_model",
  "models",
  "parameters",
  "dtype",
  "out_dtype",
  "tokenizer_source",
  ...Object.keys(UNSUPPORTED_KEYS),
];

/** The method's parameters mergekit defines, by the method they belong to. */
const GLOBAL_PARAMETERS: Record<MergeMethod, readonly string[]> = {
  linear: ["normalize"],
  task_arithmetic: ["normalize", "lambda", "int8_mask", "rescale"],
  ties: ["normalize", "lambda", "int8_mask", "rescale"],
  dare_linear: ["normalize", "lambda", "int8_mask", "rescale"],
  dare_ties: ["normalize", "lambda", "int8_mask", "rescale"],
  sce: ["select_topk", "int8_mask"],
  slerp: ["t"],
};

/** The per-model parameters mergekit defines for each method (they may also be given once, globally). */
const MODEL_PARAMETERS: Record<MergeMethod, readonly string[]> = {
  linear: ["weight"],
  task_arithmetic: ["weight", "density"],
  ties: ["weight", "density"],
  dare_linear: ["weight", "density"],
  dare_ties: ["weight", "density"],
  sce: [],
  slerp: [],
};

const DTYPES: Record<string, MergeOutputType | undefined> = {
  float32: "F32",
  fp32: "F32",
  float16: "F16",
  fp16: "F16",
  half: "F16",
  bfloat16: undefined,
  bf16: undefined,
};

function refuse(r: JsonReader, path: string, problem: string): never {
  throw new JsonShapeError(r.source, path, problem);
}

/** One value for every tensor: mergekit's gradients (lists) and per-tensor filters are refused. */
function scalar(r: JsonReader, value: unknown, path: string): unknown {
  if (Array.isArray(value) || (typeof value === "object" && value !== null))
    refuse(
      r,
      path,
      "a gradient (list) or per-tensor filter is not supported: Coop applies one value to every tensor",
    );
  return value;
}

function readMethod(r: JsonReader, value: unknown, path: string): MergeMethod {
  if (typeof value === "string" && MERGEKIT_ONLY_METHODS.includes(value))
    refuse(
      r,
      path,
      `'${value}' is a mergekit method Coop does not implement; Coop merges with ${MERGE_METHODS.join(", ")}`,
    );
  return r.oneOf(value, path, MERGE_METHODS);
}

function readOutputType(r: JsonReader, value: unknown, path: string): MergeOutputType {
  const name = r.string(value, path);
  if (!Object.hasOwn(DTYPES, name))
    refuse(r, path, `expected one of ${Object.keys(DTYPES).join(", ")}, got ${JSON.stringify(name)}`);
  const type = DTYPES[name];
  if (type === undefined)
    refuse(
      r,
      path,
      `${name} output is not supported: Coop writes float32 or float16 (F32, F16; or Q8_0 through coop merge --type or the catalog's outputType)`,
    );
  return type;
}

/** The global `parameters`: the method's own, and weight/density as defaults for every model. */
function readGlobalParameters(
  r: JsonReader,
  method: MergeMethod,
  value: unknown,
  path: string,
): { params: MergeParams; weight?: number; density?: number } {
  const o = r.object(value, path, [...GLOBAL_PARAMETERS[method], ...MODEL_PARAMETERS[method]]);
  const at = (key: string): string => `${path}.${key}`;
  const params: MergeParams = {};
  if (o.normalize !== undefined)
    params.normalize = r.boolean(scalar(r, o.normalize, at("normalize")), at("normalize"));
  if (o.lambda !== undefined) params.lambda = r.number(scalar(r, o.lambda, at("lambda")), at("lambda"));
  if (o.t !== undefined) params.t = r.number(scalar(r, o.t, at("t")), at("t"), { min: 0, max: 1 });
  if (o.select_topk !== undefined)
    params.selectTopK = r.number(scalar(r, o.select_topk, at("select_topk")), at("select_topk"), {
      min: 0,
      exclusiveMin: true,
      max: 1,
    });
  // int8_mask only picks the dtype of mergekit's sign mask: the merged values are the same either way.
  if (o.int8_mask !== undefined) r.boolean(scalar(r, o.int8_mask, at("int8_mask")), at("int8_mask"));
  if (o.rescale !== undefined) {
    const rescale = r.boolean(scalar(r, o.rescale, at("rescale")), at("rescale"));
    const dare = method === "dare_linear" || method === "dare_ties";
    if (rescale !== dare)
      refuse(
        r,
        at("rescale"),
        dare
          ? "rescale: false is not supported: Coop's DARE always rescales the kept values by 1/density"
          : `rescale: true is not supported for ${method}: Coop rescales only DARE's kept values`,
      );
  }
  if (method === "slerp" && params.t === undefined)
    r.fail(at("t"), "the interpolation factor t in [0, 1] (slerp needs it)");
  return {
    params,
    weight: r.optional(o.weight, (v) => r.number(scalar(r, v, at("weight")), at("weight"))),
    density: r.optional(o.density, (v) =>
      r.number(scalar(r, v, at("density")), at("density"), { min: 0, exclusiveMin: true, max: 1 }),
    ),
  };
}

/**
 * Reads a mergekit config at `root` ("$" for a YAML file, the object's path inside models.json).
 * What Coop cannot do as mergekit would (slices, tokenizer surgery, gradients, other methods) is refused
 * with the path of the field, never ignored.
 */
export function readMergekitConfig(
  r: JsonReader,
  value: unknown,
  root: string,
  readModel: ModelReader,
): MergekitMerge {
  const o = r.object(value, root, ROOT_KEYS);
  const at = (key: string): string => `${root}.${key}`;
  for (const [key, why] of Object.entries(UNSUPPORTED_KEYS))
    if (o[key] !== undefined) refuse(r, at(key), why);
  if (o.tokenizer_source !== undefined && o.tokenizer_source !== "base")
    refuse(
      r,
      at("tokenizer_source"),
      `tokenizer surgery is not supported (got ${JSON.stringify(o.tokenizer_source)}): the inputs must share one tokenizer and the output keeps the base's, which is tokenizer_source: base`,
    );
  const method = readMethod(r, o.merge_method, at("merge_method"));
  const base = r.optional(o.base_model, (v) => readModel(v, at("base_model")));
  if (base === undefined && (TASK_VECTOR_METHODS.has(method) || method === "slerp"))
    r.fail(at("base_model"), `the base model (${method} needs one)`);
  const global =
    o.parameters === undefined
      ? { params: {} as MergeParams }
      : readGlobalParameters(r, method, o.parameters, at("parameters"));
  if (method === "slerp" && o.parameters === undefined)
    r.fail(at("parameters.t"), "the interpolation factor t in [0, 1] (slerp needs it)");

  const models = r.array(o.models, at("models")).map((item, i) => {
    const p = `${at("models")}[${i}]`;
    const entry = r.object(item, p, ["model", "parameters"]);
    const model = readModel(entry.model, `${p}.model`);
    const parameters =
      entry.parameters === undefined
        ? {}
        : r.object(entry.parameters, `${p}.parameters`, MODEL_PARAMETERS[method]);
    return { model, path: p, parameters };
  });
  // mergekit takes no task vector of the base, so listing it among the models (as its examples do) adds
  // nothing; slerp's two ends are the base and the other model.
  const others = method === "linear" ? models : models.filter((entry) => entry.model !== base);
  if (others.length === 0) r.fail(at("models"), "at least one model besides the base model");
  if (method === "slerp" && others.length !== 1)
    r.fail(at("models"), `the base model and one other model (slerp interpolates two), not ${others.length}`);

  const inputs = others.map(({ model, path, parameters }) => {
    const weightPath = `${path}.parameters.weight`;
    const needsWeight = MODEL_PARAMETERS[method].includes("weight");
    if (needsWeight && parameters.weight === undefined && global.weight === undefined)
      r.fail(
        weightPath,
        `a weight for each model (mergekit's ${method} requires one, here or under parameters)`,
      );
    return {
      model,
      weight:
        parameters.weight === undefined
          ? (global.weight ?? 1)
          : r.number(scalar(r, parameters.weight, weightPath), weightPath),
      density:
        parameters.density === undefined
          ? global.density
          : r.number(
              scalar(r, parameters.density, `${path}.parameters.density`),
              `${path}.parameters.density`,
              {
                min: 0,
                exclusiveMin: true,
                max: 1,
              },
            ),
    };
  });
  const dtype = o.out_dtype ?? o.dtype;
  return {
    method,
    base,
    inputs: method === "slerp" ? [{ model: base!, weight: 1 }, ...inputs] : inputs,
    params: global.params,
    outputType:
      dtype === undefined
        ? undefined
        : readOutputType(r, dtype, o.out_dtype === undefined ? at("dtype") : at("out_dtype")),
  };
}
