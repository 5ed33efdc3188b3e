import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normalizeEndpoint } from "../../engine/backends/index.js";
import {
  CatalogReferenceError,
  combineCatalogLayers,
  JsonShapeError,
  loadCatalog,
  localEntriesOf,
  ModelResolver,
  parseCatalogLayer,
  remoteEndpointsOf,
  RemoteVariantError,
  resolveRemoteVariant,
  resolveVariant,
} from "../../engine/catalog/index.js";

const FILE = "/catalogs/team.json";

const fim = { prefix: "<p>", suffix: "<s>", middle: "<m>", repoName: "<r>", fileSeparator: "<f>" };

const teamCatalog = () => ({
  version: 1,
  models: [
    { id: "t", uri: "hf:o/r/t.gguf", role: "target", family: "f", contextLength: 8192, fim },
    { id: "plain", uri: "hf:o/r/plain.gguf", role: "target", family: "f" },
    { id: "d", uri: "hf:o/r/d.gguf", role: "draft", family: "f" },
    { id: "e", uri: "hf:o/r/e.gguf", role: "embedding", family: "g" },
  ],
  adapters: [{ id: "a", uri: "hf:o/r/a.gguf", base: "t" }],
  variants: [
    {
      id: "srv-python",
      label: "Python on the team server",
      description: "the target on llama-server with the Python adapter",
      target: "t",
      embedding: "e",
      remote: {
        kind: "llama-server",
        url: "HTTP://GPU-Box:8080/",
        adapters: [{ name: "lora-python" }],
      } as Record<string, unknown>,
    },
    {
      id: "srv-mix",
      label: "Python + C++ on the team server",
      description: "both adapters at half strength",
      target: "t",
      remote: {
        kind: "llama-server",
        url: "http://gpu-box:8080",
        model: "t.gguf",
        adapters: [
          { name: "lora-python", scale: 0.5 },
          { name: "lora-cpp", scale: 0.5 },
        ],
      } as Record<string, unknown>,
    },
    {
      id: "vllm-python",
      label: "Python on vLLM",
      description: "the adapter chosen by vLLM's model field",
      target: "t",
      remote: {
        kind: "vllm",
        url: "https://vllm.example.com/v1-proxy",
        model: "Qwen/Qwen2.5-Coder-7B",
        adapters: [{ name: "python-lora" }],
      } as Record<string, unknown>,
    },
    {
      id: "here",
      label: "Here",
      description: "a local variant",
      target: "t",
      draft: "d",
      embedding: "e",
      adapters: [{ id: "a", scale: 1 }],
    } as Record<string, unknown>,
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

describe("variants on an inference server", () => {
  test("parse with the server's normalized URL, the model name and the adapters by the server's names", () => {
    const catalog = combineCatalogLayers([parseCatalogLayer(teamCatalog(), FILE)]);
    assert.deepEqual(catalog.variants.get("srv-python")!.remote, {
      kind: "llama-server",
      url: "http://gpu-box:8080",
      adapters: [{ name: "lora-python", scale: 1 }],
    });
    assert.deepEqual(catalog.variants.get("srv-mix")!.remote, {
      kind: "llama-server",
      url: "http://gpu-box:8080",
      model: "t.gguf",
      adapters: [
        { name: "lora-python", scale: 0.5 },
        { name: "lora-cpp", scale: 0.5 },
      ],
    });
    assert.equal(catalog.variants.get("vllm-python")!.remote!.url, "https://vllm.example.com/v1-proxy");
    assert.equal(catalog.variants.get("here")!.remote, undefined);
    assert.deepEqual(catalog.models.get("t")!.fim, fim);
  });

  test("the servers of a catalog are listed once each, for the API key command", () => {
    const catalog = combineCatalogLayers([parseCatalogLayer(teamCatalog(), FILE)]);
    assert.deepEqual(remoteEndpointsOf(catalog), [
      "http://gpu-box:8080",
      "https://vllm.example.com/v1-proxy",
    ]);
  });

  test("a remote variant resolves to its server and target entry, never to files; a local one the other way round", async () => {
    const catalog = combineCatalogLayers([parseCatalogLayer(teamCatalog(), FILE)]);
    const remote = resolveRemoteVariant(catalog, "srv-mix");
    assert.equal(remote.remote.url, "http://gpu-box:8080");
    assert.equal(remote.targetModel.contextLength, 8192);
    assert.throws(
      () => resolveRemoteVariant(catalog, "here"),
      /variant 'here' runs on this machine, not on an inference server/,
    );
    await assert.rejects(
      resolveVariant(catalog, "srv-python", new ModelResolver({ cacheDir: "/nonexistent" })),
      (e: unknown) =>
        e instanceof RemoteVariantError &&
        /variant 'srv-python' runs on llama-server at http:\/\/gpu-box:8080; it has no model files to load on this machine/.test(
          e.message,
        ),
    );
  });

  test("nothing is needed on this machine for a variant on a server, nor anywhere an embedding model", () => {
    const catalog = combineCatalogLayers([parseCatalogLayer(teamCatalog(), FILE)]);
    assert.deepEqual(localEntriesOf(catalog, catalog.variants.get("srv-python")!), []);
    assert.deepEqual(localEntriesOf(catalog, catalog.variants.get("srv-mix")!), []);
    assert.deepEqual(
      localEntriesOf(catalog, catalog.variants.get("here")!).map((entry) => entry.id),
      ["t", "d", "a"],
    );
  });

  test("the shipped catalog gives the Qwen2.5-Coder and tiny models their repository-level FIM tokens", async () => {
    const catalog = await loadCatalog();
    for (const id of ["tiny-target", "qwen2.5-coder-7b-instruct-q4_k_m"]) {
      assert.deepEqual(catalog.models.get(id)!.fim, {
        prefix: "<|fim_prefix|>",
        suffix: "<|fim_suffix|>",
        middle: "<|fim_middle|>",
        repoName: "<|repo_name|>",
        fileSeparator: "<|file_sep|>",
      });
    }
  });
});

describe("remote variant errors name the file and the JSON path", () => {
  const remoteOf = (c: ReturnType<typeof teamCatalog>, index: number) =>
    c.variants[index]!.remote as Record<string, unknown>;
  test("wrong servers, URLs, models and adapters", () => {
    const cases: [(c: ReturnType<typeof teamCatalog>) => unknown, string, RegExp][] = [
      [
        (c) => ((remoteOf(c, 0).kind = "ollama"), c),
        "$.variants[0].remote.kind",
        /expected one of "llama-server", "vllm", got "ollama"/,
      ],
      [
        (c) => ((remoteOf(c, 0).url = "gpu-box:8080"), c),
        "$.variants[0].remote.url",
        /expected an http:\/\/ or https:\/\/ URL of the server, e\.g\. http:\/\/gpu-box:8080, got "gpu-box:8080"/,
      ],
      [
        (c) => ((remoteOf(c, 0).url = "ftp://gpu-box"), c),
        "$.variants[0].remote.url",
        /expected an http:\/\/ or https:\/\/ URL/,
      ],
      [
        (c) => ((remoteOf(c, 0).url = "http://me:s3cret@gpu-box:8080"), c),
        "$.variants[0].remote.url",
        /expected a URL without a user name or password \(store the API key with "Coop: Set Remote Server API Key"\)/,
      ],
      [
        (c) => ((remoteOf(c, 0).url = "http://gpu-box:8080/?key=1"), c),
        "$.variants[0].remote.url",
        /expected a URL without a query or fragment/,
      ],
      // There is no place for a key in the catalog: it lives in the editor's secret storage.
      [
        (c) => ((remoteOf(c, 0).apiKey = "k"), c),
        "$.variants[0].remote.apiKey",
        /unknown key; the keys allowed here are kind, url, model, adapters/,
      ],
      [
        (c) => ((remoteOf(c, 0).adapters = [{ name: "" }]), c),
        "$.variants[0].remote.adapters[0].name",
        /expected a non-empty string/,
      ],
      [
        (c) => ((remoteOf(c, 0).adapters = [{ name: "x", scale: "1" }]), c),
        "$.variants[0].remote.adapters[0].scale",
        /expected a number, got "1"/,
      ],
      [
        (c) => (delete remoteOf(c, 2).model, c),
        "$.variants[2].remote.model",
        /vLLM needs it in every request/,
      ],
      [
        (c) => ((remoteOf(c, 2).adapters = [{ name: "a" }, { name: "b" }]), c),
        "$.variants[2].remote.adapters",
        /at most one adapter: vLLM applies one LoRA adapter per request/,
      ],
      [
        (c) => ((remoteOf(c, 2).adapters = [{ name: "a", scale: 0.5 }]), c),
        "$.variants[2].remote.adapters[0].scale",
        /vLLM applies LoRA adapters at full strength only, got 0\.5/,
      ],
      [
        (c) => (Object.assign(c.variants[0]!, { draft: "d" }), c),
        "$.variants[0].draft",
        /no draft on a variant that runs on a server \(the server speculates with its own draft/,
      ],
      [
        (c) => (Object.assign(c.variants[0]!, { adapters: [{ id: "a", scale: 1 }] }), c),
        "$.variants[0].adapters",
        /no local adapters on a variant that runs on a server/,
      ],
      [
        (c) => (
          Object.assign(c.variants[0]!, {
            merge: { method: "ties", base: "t", inputs: [{ id: "plain", weight: 1 }] },
          }),
          c
        ),
        "$.variants[0].merge",
        /no merge on a variant that runs on a server/,
      ],
      [
        (c) => (
          Object.assign(c.models[0]!, {
            fim: { prefix: "<p>", suffix: "<s>", middle: "<m>", repoName: "<r>" },
          }),
          c
        ),
        "$.models[0].fim.fileSeparator",
        /both repoName and fileSeparator, or neither/,
      ],
    ];
    for (const [edit, path, expected] of cases) schemaError(edit(teamCatalog()), path, expected);
    const withPassword = teamCatalog();
    remoteOf(withPassword, 0).url = "http://me:s3cret@gpu-box:8080";
    assert.throws(
      () => parseCatalogLayer(withPassword, FILE),
      (e: unknown) => e instanceof Error && !e.message.includes("s3cret"),
      "the password is not repeated",
    );
  });

  test("a vLLM variant needs a target with FIM tokens (vLLM has no infill endpoint)", () => {
    const catalog = teamCatalog();
    catalog.variants[2]!.target = "plain";
    assert.throws(
      () => combineCatalogLayers([parseCatalogLayer(catalog, FILE)]),
      (e: unknown) =>
        e instanceof CatalogReferenceError &&
        /^\/catalogs\/team\.json: \$\.variants\[2\]\.target: model 'plain' has no fim tokens, and vLLM has no infill endpoint/.test(
          e.message,
        ),
    );
    // llama-server lays the FIM prompt out itself (/infill): its variants need none.
    const llama = teamCatalog();
    llama.variants[0]!.target = "plain";
    assert.equal(
      combineCatalogLayers([parseCatalogLayer(llama, FILE)]).variants.get("srv-python")!.target,
      "plain",
    );
  });

  test("server URLs normalize to one spelling, and URLs that would carry secrets are refused", () => {
    assert.equal(normalizeEndpoint("HTTP://GPU-Box:8080/"), "http://gpu-box:8080");
    assert.equal(normalizeEndpoint(" https://proxy.example.com/llama/ "), "https://proxy.example.com/llama");
    assert.equal(normalizeEndpoint("http://gpu-box:80"), "http://gpu-box");
    assert.equal(normalizeEndpoint("http://user:pw@gpu-box:8080"), undefined);
    assert.equal(normalizeEndpoint("http://gpu-box:8080/?api_key=x"), undefined);
    assert.equal(normalizeEndpoint("gpu-box:8080"), undefined);
  });
});
