import { MERGE_OUTPUT_TYPES } from "../merge/mergeJob.js";
import { readMergekitConfig } from "../merge/mergekitConfig.js";
import { MERGE_METHODS } from "../merge/methods/index.js";
import { parseMergeParams } from "../merge/mergeParams.js";

import { endpointProblem, normalizeEndpoint } from "../host/contract/endpoint.js";
import type {
  CatalogAdapter,
  CatalogModel,
  CatalogVariant,
  FimTokens,
  TokenEnsembleMember,
  VariantMerge,
  VariantRemote,
  VariantTokenEnsemble,
} from "./catalogTypes.js";
import { MODEL_ROLES, REMOTE_SERVER_KINDS } from "./catalogTypes.js";
import { JsonReader } from "../json/jsonShape.js";

/**
 * A variant as its file gives it: a token ensemble names no target (it is its member 0's, which may be
 * defined in another layer), so it is known only once the layers are combined.
 */
export type LayerVariant =
  | CatalogVariant
  | (Omit<CatalogVariant, "target" | "tokenEnsemble"> & {
      target?: undefined;
      tokenEnsemble: VariantTokenEnsemble;
    });

/** One catalog file's entries, before it is combined with others and its references are checked. */
export interface CatalogLayer {
  file: string;
  models: CatalogModel[];
  adapters: CatalogAdapter[];
  variants: LayerVariant[];
  defaultVariant?: string;
}

export const CATALOG_VERSION = 1;

const ID = {
  regex: /^[a-z0-9][a-z0-9._-]*$/,
  description: "an id of lowercase letters, digits, '.', '_' or '-'",
};
const SHA256 = { regex: /^[0-9a-f]{64}$/, description: "a sha256 digest as 64 lowercase hex digits" };
const URI = {
  regex:
    /^(hf:[^/\s]+\/[^/\s]+\/\S+\.gguf|builtin:tiny\/[a-z-]+|[^:\s][^\s]*\.gguf|[A-Za-z]:[\\/]\S*\.gguf)$/,
  description:
    "a model location: 'hf:<owner>/<repo>/<file>.gguf', 'builtin:tiny/<name>' or a path to a .gguf file",
};

/** Checks a parsed models.json against the catalog schema; every error names `file` and the JSON path. */
export function parseCatalogLayer(json: unknown, file: string): CatalogLayer {
  const r = new JsonReader(file);
  const root = r.object(json, "$", [
    "$schema",
    "version",
    "defaultVariant",
    "models",
    "adapters",
    "variants",
  ]);
  const version = r.number(root.version, "$.version", { integer: true });
  if (version !== CATALOG_VERSION)
    r.fail("$.version", `${CATALOG_VERSION} (the catalog format this Coop reads)`, version);
  const list = <T>(key: string, read: (value: unknown, path: string) => T): T[] =>
    root[key] === undefined
      ? []
      : r.array(root[key], `$.${key}`).map((item, i) => read(item, `$.${key}[${i}]`));
  const layer: CatalogLayer = {
    file,
    models: list("models", (value, path) => parseModel(r, value, path)),
    adapters: list("adapters", (value, path) => parseAdapter(r, value, path)),
    variants: list("variants", (value, path) => parseVariant(r, value, path)),
    defaultVariant: r.optional(root.defaultVariant, (value) => r.string(value, "$.defaultVariant", ID)),
  };
  for (const key of ["models", "adapters", "variants"] as const) {
    const seen = new Set<string>();
    layer[key].forEach((entry, i) => {
      if (seen.has(entry.id)) r.fail(`$.${key}[${i}].id`, `an id not used before in ${key}`, entry.id);
      seen.add(entry.id);
    });
  }
  return layer;
}

function parseModel(r: JsonReader, value: unknown, path: string): CatalogModel {
  const o = r.object(value, path, [
    "id",
    "uri",
    "role",
    "family",
    "sha256",
    "size",
    "contextLength",
    "fim",
    "description",
  ]);
  return {
    id: r.string(o.id, `${path}.id`, ID),
    uri: r.string(o.uri, `${path}.uri`, URI),
    role: r.oneOf(o.role, `${path}.role`, MODEL_ROLES),
    family: r.string(o.family, `${path}.family`),
    sha256: r.optional(o.sha256, (v) => r.string(v, `${path}.sha256`, SHA256)),
    size: r.optional(o.size, (v) => r.number(v, `${path}.size`, { integer: true, min: 1 })),
    contextLength: r.optional(o.contextLength, (v) =>
      r.number(v, `${path}.contextLength`, { integer: true, min: 1 }),
    ),
    fim: r.optional(o.fim, (v) => parseFim(r, v, `${path}.fim`)),
    description: r.optional(o.description, (v) => r.string(v, `${path}.description`)),
    origin: { file: r.source, path },
  };
}

function parseFim(r: JsonReader, value: unknown, path: string): FimTokens {
  const o = r.object(value, path, ["prefix", "suffix", "middle", "repoName", "fileSeparator"]);
  const repoName = r.optional(o.repoName, (v) => r.string(v, `${path}.repoName`));
  const fileSeparator = r.optional(o.fileSeparator, (v) => r.string(v, `${path}.fileSeparator`));
  if ((repoName === undefined) !== (fileSeparator === undefined)) {
    r.fail(
      `${path}.${repoName === undefined ? "repoName" : "fileSeparator"}`,
      "both repoName and fileSeparator, or neither (the repository-level layout needs the two)",
    );
  }
  return {
    prefix: r.string(o.prefix, `${path}.prefix`),
    suffix: r.string(o.suffix, `${path}.suffix`),
    middle: r.string(o.middle, `${path}.middle`),
    ...(repoName !== undefined ? { repoName, fileSeparator } : {}),
  };
}

function parseAdapter(r: JsonReader, value: unknown, path: string): CatalogAdapter {
  const o = r.object(value, path, ["id", "uri", "base", "sha256", "size", "description"]);
  return {
    id: r.string(o.id, `${path}.id`, ID),
    uri: r.string(o.uri, `${path}.uri`, URI),
    base: r.string(o.base, `${path}.base`, ID),
    sha256: r.optional(o.sha256, (v) => r.string(v, `${path}.sha256`, SHA256)),
    size: r.optional(o.size, (v) => r.number(v, `${path}.size`, { integer: true, min: 1 })),
    description: r.optional(o.description, (v) => r.string(v, `${path}.description`)),
    origin: { file: r.source, path },
  };
}

/** Why a token ensemble cannot have each of these fields of its own. */
const notOnTokenEnsemble = {
  target: "no target on a token ensemble (its target is member 0's, tokenEnsemble.members[0].variant)",
  draft: "no draft on a token ensemble (a draft would speculate for one member alone, not for the average)",
  adapters: "no adapters on a token ensemble (give them to a member variant)",
  merge: "no merge on a token ensemble (make the merged variant one of its members)",
  remote: "no remote on a token ensemble (its two members run on this machine)",
} as const;

function parseVariant(r: JsonReader, value: unknown, path: string): LayerVariant {
  const o = r.object(value, path, [
    "id",
    "label",
    "description",
    "target",
    "draft",
    "embedding",
    "adapters",
    "merge",
    "remote",
    "tokenEnsemble",
  ]);
  if (o.tokenEnsemble !== undefined) {
    for (const [key, expected] of Object.entries(notOnTokenEnsemble))
      if (o[key] !== undefined) r.fail(`${path}.${key}`, expected);
    return {
      id: r.string(o.id, `${path}.id`, ID),
      label: r.string(o.label, `${path}.label`),
      description: r.string(o.description, `${path}.description`),
      embedding: r.optional(o.embedding, (v) => r.string(v, `${path}.embedding`, ID)),
      adapters: [],
      tokenEnsemble: parseTokenEnsemble(r, o.tokenEnsemble, `${path}.tokenEnsemble`),
      origin: { file: r.source, path },
    };
  }
  const merge = r.optional(o.merge, (v) => parseMerge(r, v, `${path}.merge`));
  if (merge !== undefined && o.adapters !== undefined)
    r.fail(`${path}.adapters`, "no run-time adapters on a merged variant (merge them in instead)");
  const remote = r.optional(o.remote, (v) => parseRemote(r, v, `${path}.remote`));
  if (remote !== undefined) {
    if (merge !== undefined)
      r.fail(
        `${path}.merge`,
        "no merge on a variant that runs on a server (serve the merged file there and name its model as the target)",
      );
    if (o.adapters !== undefined)
      r.fail(
        `${path}.adapters`,
        "no local adapters on a variant that runs on a server (name the server's adapters in remote.adapters)",
      );
    if (o.draft !== undefined)
      r.fail(
        `${path}.draft`,
        "no draft on a variant that runs on a server (the server speculates with its own draft, e.g. llama-server -md)",
      );
  }
  const target =
    merge === undefined || o.target !== undefined ? r.string(o.target, `${path}.target`, ID) : merge.base;
  return {
    id: r.string(o.id, `${path}.id`, ID),
    label: r.string(o.label, `${path}.label`),
    description: r.string(o.description, `${path}.description`),
    target,
    draft: r.optional(o.draft, (v) => r.string(v, `${path}.draft`, ID)),
    embedding: r.optional(o.embedding, (v) => r.string(v, `${path}.embedding`, ID)),
    adapters:
      o.adapters === undefined
        ? []
        : r.array(o.adapters, `${path}.adapters`).map((item, i) => {
            const p = `${path}.adapters[${i}]`;
            const a = r.object(item, p, ["id", "scale"]);
            return { id: r.string(a.id, `${p}.id`, ID), scale: r.number(a.scale, `${p}.scale`) };
          }),
    merge,
    ...(remote !== undefined ? { remote } : {}),
    origin: { file: r.source, path },
  };
}

function parseTokenEnsemble(r: JsonReader, value: unknown, path: string): VariantTokenEnsemble {
  const o = r.object(value, path, ["members"]);
  const items = r.array(o.members, `${path}.members`);
  if (items.length !== 2)
    r.fail(
      `${path}.members`,
      `exactly two members (the two variants whose distributions are averaged), not ${items.length}`,
    );
  const members = items.map((item, i): TokenEnsembleMember => {
    const p = `${path}.members[${i}]`;
    const member = r.object(item, p, ["variant", "weight"]);
    return {
      variant: r.string(member.variant, `${p}.variant`, ID),
      weight: r.number(member.weight, `${p}.weight`, { min: 0 }),
    };
  });
  if (members.every((member) => member.weight === 0))
    r.fail(`${path}.members`, "weights that are not both 0 (the average would be zero for every token)");
  return { members: [members[0]!, members[1]!] };
}

function parseRemote(r: JsonReader, value: unknown, path: string): VariantRemote {
  const o = r.object(value, path, ["kind", "url", "model", "adapters"]);
  const kind = r.oneOf(o.kind, `${path}.kind`, REMOTE_SERVER_KINDS);
  const rawUrl = r.string(o.url, `${path}.url`);
  const problem = endpointProblem(rawUrl);
  if (problem !== undefined) {
    // A URL with user:password in it is not repeated: the message would carry the secret into the log.
    if (/^[^/]*\/\/[^/]*@/.test(rawUrl)) r.fail(`${path}.url`, problem);
    r.fail(`${path}.url`, problem, rawUrl);
  }
  const model = r.optional(o.model, (v) => r.string(v, `${path}.model`));
  if (kind === "vllm" && model === undefined)
    r.fail(
      `${path}.model`,
      "the model name vLLM serves (its --served-model-name or model path): vLLM needs it in every request",
    );
  const adapters =
    o.adapters === undefined
      ? []
      : r.array(o.adapters, `${path}.adapters`).map((item, i) => {
          const p = `${path}.adapters[${i}]`;
          const a = r.object(item, p, ["name", "scale"]);
          const name = r.string(a.name, `${p}.name`);
          const scale = a.scale === undefined ? 1 : r.number(a.scale, `${p}.scale`);
          if (kind === "vllm" && scale !== 1)
            r.fail(`${p}.scale`, "1: vLLM applies LoRA adapters at full strength only", scale);
          return { name, scale };
        });
  if (kind === "vllm" && adapters.length > 1)
    r.fail(
      `${path}.adapters`,
      "at most one adapter: vLLM applies one LoRA adapter per request (merge them into one with coop merge)",
    );
  return { kind, url: normalizeEndpoint(rawUrl)!, ...(model !== undefined ? { model } : {}), adapters };
}

function parseMerge(r: JsonReader, value: unknown, path: string): VariantMerge {
  const o = r.object(value, path, ["method", "base", "inputs", "params", "seed", "outputType", "mergekit"]);
  if (o.mergekit !== undefined) return parseMergekitMerge(r, o, path);
  const inputs = r.array(o.inputs, `${path}.inputs`).map((item, i) => {
    const p = `${path}.inputs[${i}]`;
    const input = r.object(item, p, ["id", "weight", "density"]);
    return {
      id: r.string(input.id, `${p}.id`, ID),
      weight: r.number(input.weight, `${p}.weight`),
      density: r.optional(input.density, (v) =>
        r.number(v, `${p}.density`, { min: 0, exclusiveMin: true, max: 1 }),
      ),
    };
  });
  if (inputs.length === 0) r.fail(`${path}.inputs`, "at least one input");
  return {
    method: r.oneOf(o.method, `${path}.method`, MERGE_METHODS),
    base: r.string(o.base, `${path}.base`, ID),
    inputs,
    params: o.params === undefined ? {} : parseMergeParams(r, o.params, `${path}.params`),
    seed: o.seed === undefined ? 0 : r.number(o.seed, `${path}.seed`, { integer: true, min: 0 }),
    outputType:
      o.outputType === undefined ? "Q8_0" : r.oneOf(o.outputType, `${path}.outputType`, MERGE_OUTPUT_TYPES),
  };
}

/**
 * A merge given as a mergekit config (`mergekit`, the fields of mergekit's YAML written as JSON, models
 * named by catalog id) with Coop's own seed and outputType beside it.
 */
function parseMergekitMerge(r: JsonReader, o: Record<string, unknown>, path: string): VariantMerge {
  for (const key of ["method", "base", "inputs", "params"])
    if (o[key] !== undefined)
      r.fail(
        `${path}.${key}`,
        `no ${key} beside mergekit (the mergekit config says it: use one or the other)`,
      );
  const config = readMergekitConfig(r, o.mergekit, `${path}.mergekit`, (v, p) => r.string(v, p, ID));
  if (config.base === undefined)
    r.fail(
      `${path}.mergekit.base_model`,
      "the base model's id (a merged variant takes its family, context and FIM tokens from it)",
    );
  if (o.outputType !== undefined && config.outputType !== undefined)
    r.fail(`${path}.outputType`, "either outputType or the mergekit config's dtype/out_dtype, not both");
  return {
    method: config.method,
    base: config.base,
    inputs: config.inputs.map(({ model, weight, density }) => ({ id: model, weight, density })),
    params: config.params,
    seed: o.seed === undefined ? 0 : r.number(o.seed, `${path}.seed`, { integer: true, min: 0 }),
    outputType:
      o.outputType === undefined
        ? (config.outputType ?? "Q8_0")
        : r.oneOf(o.outputType, `${path}.outputType`, MERGE_OUTPUT_TYPES),
  };
}
