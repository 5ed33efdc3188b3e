import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  CatalogReferenceError,
  combineCatalogLayers,
  JsonShapeError,
  loadCatalog,
  locateModel,
  mergedVariantPath,
  ModelNotAvailableError,
  ModelResolver,
  parseCatalogLayer,
  resolveVariant,
  shippedCatalogPath,
  UnknownVariantError,
} from "../../engine/catalog/index.js";
import { withTempDir } from "../support/ggufTemp.js";
import { fixtures } from "../support/fixtures.js";

const FILE = "/catalogs/models.json";

const baseCatalog = () => ({
  version: 1,
  models: [
    { id: "t", uri: "t.gguf", role: "target", family: "f" },
    { id: "d", uri: "d.gguf", role: "draft", family: "f" },
    { id: "e", uri: "e.gguf", role: "embedding", family: "g" },
    { id: "ft", uri: "ft.gguf", role: "target", family: "f" },
  ],
  adapters: [{ id: "a", uri: "a.gguf", base: "t" }],
  variants: [
    {
      id: "v",
      label: "V",
      description: "a variant",
      target: "t",
      draft: "d",
      embedding: "e",
      adapters: [{ id: "a", scale: 0.5 }],
    },
  ],
});

function schemaError(json: unknown, path: string, expected: RegExp): void {
  assert.throws(
    () => parseCatalogLayer(json, FILE),
    (e: unknown) => {
      assert.ok(e instanceof JsonShapeError, String(e));
      assert.equal(e.jsonPath, path);
      assert.match(e.message, new RegExp(`^${FILE}: ${path.replace(/[$.[\]]/g, "\\$&")}: `));
      assert.match(e.message, expected);
      return true;
    },
  );
}

describe("the shipped catalog", () => {
  test("loads, defaults to coop-tiny, and offers the tiny, adapter, merged and Qwen2.5-Coder variants", async () => {
    const catalog = await loadCatalog();
    assert.equal(catalog.defaultVariant, "coop-tiny");
    const tiny = catalog.variants.get("coop-tiny")!;
    assert.deepEqual(
      [tiny.target, tiny.draft, tiny.embedding],
      ["tiny-target", "tiny-draft", "tiny-embedding"],
    );
    assert.ok([...catalog.variants.values()].some((v) => v.adapters.length === 2));
    assert.equal(catalog.variants.get("coop-tiny-ties")!.merge!.method, "ties");
    const qwen = [...catalog.variants.values()].find((v) =>
      catalog.models.get(v.target)!.uri.startsWith("hf:Qwen/Qwen2.5-Coder"),
    )!;
    const draft = catalog.models.get(qwen.draft!)!;
    assert.match(draft.uri, /Qwen2\.5-Coder-0\.5B/);
    assert.equal(draft.family, catalog.models.get(qwen.target)!.family);
    assert.equal(catalog.models.get(qwen.embedding!)!.role, "embedding");
  });

  test("its builtin models resolve to the tiny model set", async () => {
    const set = await fixtures();
    const catalog = await loadCatalog();
    const resolver = new ModelResolver({ cacheDir: "/nonexistent", tinyModels: fixtures });
    assert.equal(await resolver.path(catalog.models.get("tiny-target")!), set.target);
    assert.equal(await resolver.path(catalog.models.get("tiny-target-ft-cpp")!), set.fineTunes.cpp);
    assert.equal(await resolver.path(catalog.adapters.get("tiny-lora-python")!), set.adapters.python);
  });

  test("a variant resolves to the files and run-time adapters the runtime loads", async () => {
    const set = await fixtures();
    const catalog = await loadCatalog();
    const resolver = new ModelResolver({ cacheDir: "/nonexistent", tinyModels: fixtures });
    const resolved = await resolveVariant(catalog, "coop-tiny-systems", resolver);
    assert.deepEqual(
      [resolved.target, resolved.draft, resolved.embedding],
      [set.target, set.draft, set.embedding],
    );
    assert.deepEqual(resolved.adapters, [
      { filePath: set.adapters.python, scale: 0.5 },
      { filePath: set.adapters.cpp, scale: 0.5 },
    ]);
    assert.equal(resolved.targetModel.fim?.middle, "<|fim_middle|>");
    await assert.rejects(
      resolveVariant(catalog, "coop-huge", resolver),
      (e: unknown) => e instanceof UnknownVariantError && /known variants: coop-tiny, /.test(e.message),
    );
  });
});

describe("catalog schema errors name the file and the JSON path", () => {
  test("wrong types, values and keys", () => {
    const cases: [(c: ReturnType<typeof baseCatalog>) => unknown, string, RegExp][] = [
      [(c) => ({ ...c, version: 2 }), "$.version", /expected 1 .*got 2/],
      [(c) => ({ ...c, models: {} }), "$.models", /expected an array, got an object/],
      [
        (c) => ((c.models[1]!.role = "drafter"), c),
        "$.models[1].role",
        /expected one of "target", "draft", "embedding", got "drafter"/,
      ],
      [
        (c) => ((c.models[2]!.uri = "https://example.com/e.bin"), c),
        "$.models[2].uri",
        /expected a model location/,
      ],
      [
        (c) => (Object.assign(c.models[0]!, { sha256: "abc" }), c),
        "$.models[0].sha256",
        /64 lowercase hex digits/,
      ],
      [
        (c) => (Object.assign(c.models[0]!, { size: -1 }), c),
        "$.models[0].size",
        /whole number >= 1, got -1/,
      ],
      [
        (c) => (Object.assign(c.models[0]!, { fim: { prefix: "<p>" } }), c),
        "$.models[0].fim.suffix",
        /non-empty string, got nothing/,
      ],
      [
        (c) => ((c.variants[0]!.adapters[0]!.scale = "1" as unknown as number), c),
        "$.variants[0].adapters[0].scale",
        /expected a number, got "1"/,
      ],
      [(c) => (Object.assign(c.variants[0]!, { targte: "t" }), c), "$.variants[0].targte", /unknown key/],
      [(c) => ((c.models[3]!.id = "t"), c), "$.models[3].id", /an id not used before in models/],
      [
        (c) => (
          Object.assign(c.variants[0]!, {
            adapters: undefined,
            merge: { method: "ties", base: "t", inputs: [{ id: "ft", weight: 1, density: 0 }] },
          }),
          c
        ),
        "$.variants[0].merge.inputs[0].density",
        /> 0 and <= 1, got 0/,
      ],
      [
        (c) => (
          Object.assign(c.variants[0]!, {
            merge: { method: "ties", base: "t", inputs: [{ id: "ft", weight: 1 }] },
          }),
          c
        ),
        "$.variants[0].adapters",
        /no run-time adapters on a merged variant/,
      ],
    ];
    for (const [edit, path, expected] of cases) schemaError(edit(baseCatalog()), path, expected);
  });

  test("references that do not resolve or do not fit name the entry that makes them", () => {
    const cases: [(c: ReturnType<typeof baseCatalog>) => unknown, RegExp][] = [
      [(c) => ((c.variants[0]!.draft = "nope"), c), /\$\.variants\[0\]\.draft: no model has the id 'nope'/],
      [
        (c) => ((c.variants[0]!.draft = "e"), c),
        /\$\.variants\[0\]\.draft: model 'e' has role 'embedding', expected 'draft'/,
      ],
      [
        (c) => ((c.models[1]!.family = "other"), c),
        /\$\.variants\[0\]\.draft: .*family 'other' but the target is 'f'; they must share a tokenizer/,
      ],
      [
        (c) => ((c.adapters[0]!.base = "ft"), c),
        /\$\.variants\[0\]\.adapters\[0\]\.id: adapter 'a' adapts 'ft', not the variant's target 't'/,
      ],
      [(c) => ((c.adapters[0]!.base = "x"), c), /\$\.adapters\[0\]\.base: no model has the id 'x'/],
      [
        (c) => (
          Object.assign(c.variants[0]!, {
            adapters: undefined,
            merge: {
              method: "ties",
              base: "t",
              inputs: [
                { id: "ft", weight: 1 },
                { id: "a", weight: 1 },
              ],
            },
          }),
          c
        ),
        /\$\.variants\[0\]\.merge\.inputs: inputs must be all models or all adapters/,
      ],
    ];
    for (const [edit, expected] of cases) {
      assert.throws(
        () => combineCatalogLayers([parseCatalogLayer(edit(baseCatalog()), FILE)]),
        (e: unknown) =>
          e instanceof CatalogReferenceError && e.message.startsWith(`${FILE}: `) && expected.test(e.message),
      );
    }
  });

  test("a file that is not JSON is named", () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, "models.json"), "{ nope");
      await assert.rejects(
        loadCatalog([join(dir, "models.json")]),
        (e: unknown) =>
          e instanceof JsonShapeError &&
          e.message.startsWith(`${join(dir, "models.json")}: $: not valid JSON`),
      );
    }));
});

describe("user catalogs over the shipped one", () => {
  test("add variants, replace entries with the same id, and may change the default", () =>
    withTempDir(async (dir) => {
      await mkdir(join(dir, "models"));
      await writeFile(join(dir, "models", "mine.gguf"), "x");
      const user = {
        version: 1,
        defaultVariant: "mine",
        models: [{ id: "my-target", uri: "models/mine.gguf", role: "target", family: "coop-tiny" }],
        variants: [
          {
            id: "mine",
            label: "Mine",
            description: "my model with the tiny draft",
            target: "my-target",
            draft: "tiny-draft",
          },
          { id: "coop-tiny", label: "Tiny, relabelled", description: "replaced", target: "tiny-target" },
        ],
      };
      await writeFile(join(dir, "user.json"), JSON.stringify(user));
      const catalog = await loadCatalog([shippedCatalogPath(), join(dir, "user.json")]);
      assert.equal(catalog.defaultVariant, "mine");
      assert.equal(catalog.variants.get("coop-tiny")!.label, "Tiny, relabelled");
      assert.ok(catalog.variants.has("coop-tiny-ties"), "shipped variants stay");
      const resolver = new ModelResolver({ cacheDir: dir });
      assert.equal(
        await resolver.path(catalog.models.get("my-target")!),
        join(dir, "models", "mine.gguf"),
        "relative to the user catalog",
      );
      await assert.rejects(
        resolver.path(catalog.models.get("qwen2.5-coder-0.5b-instruct-q8_0")!),
        (e: unknown) =>
          e instanceof ModelNotAvailableError &&
          /not downloaded yet; expected at .*hf\/Qwen\/Qwen2\.5-Coder-0\.5B-Instruct-GGUF\//.test(e.message),
      );
    }));
});

describe("model locations and merged variant cache keys", () => {
  test("uris map to files, downloads and builtins; unknown builtins are refused", () => {
    assert.deepEqual(locateModel("hf:o/r/sub/m.gguf", FILE, "/models"), {
      kind: "hf",
      owner: "o",
      repo: "r",
      file: "sub/m.gguf",
      path: "/models/hf/o/r/sub/m.gguf",
    });
    assert.deepEqual(locateModel("../m.gguf", FILE, "/models"), { kind: "file", path: "/m.gguf" });
    assert.deepEqual(locateModel("builtin:tiny/lora-cpp", FILE, "/models"), {
      kind: "builtin",
      name: "lora-cpp",
    });
    assert.throws(
      () => locateModel("builtin:tiny/huge", FILE, "/models"),
      /unknown builtin model; expected builtin:tiny\/<name> with name one of draft, target/,
    );
  });

  test("the merged file's key follows the recipe and the inputs, not the call", () =>
    withTempDir(async (dir) => {
      for (const name of ["t", "ft", "d", "e"]) await writeFile(join(dir, `${name}.gguf`), name);
      const layer = (weight: number) => {
        const c = baseCatalog();
        Object.assign(c.variants[0]!, {
          adapters: undefined,
          merge: { method: "ties", base: "t", inputs: [{ id: "ft", weight }] },
        });
        return combineCatalogLayers([parseCatalogLayer(c, join(dir, "models.json"))]);
      };
      const resolver = new ModelResolver({ cacheDir: dir });
      const path = async (weight: number) =>
        (await mergedVariantPath(layer(weight), layer(weight).variants.get("v")!, resolver)).path;
      const first = await path(1);
      assert.equal(await path(1), first);
      assert.notEqual(await path(0.5), first, "another recipe, another file");
      assert.match(first, new RegExp(`^${join(dir, "models", "merged")}/v-[0-9a-f]{16}\\.gguf$`));
      await writeFile(join(dir, "ft.gguf"), "changed input");
      assert.notEqual(await path(1), first, "another input, another file");
    }));
});
