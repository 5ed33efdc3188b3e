import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import {
  CatalogReferenceError,
  combineCatalogLayers,
  JsonShapeError,
  loadCatalog,
  localEntriesOf,
  mergedVariantPath,
  ModelResolver,
  parseCatalogLayer,
  readCatalogLayer,
  resolveVariant,
  shippedCatalogPath,
  type ResolvedVariant,
} from "../../engine/catalog/index.js";
import {
  buildFimPrompt,
  defaultCompletionEngineOptions,
  fimTokensOf,
} from "../../engine/completion/index.js";
import { CooperativeEngine } from "../../engine/host/index.js";
import { coopCacheDir } from "../support/cacheDir.js";
import { serveFiles } from "../support/fileServer.js";
import { fixtures } from "../support/fixtures.js";
import { repoRoot } from "../support/repoRoot.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

const FILE = "/catalogs/models.json";
const ENSEMBLE = 5;

const catalogJson = () => ({
  version: 1,
  models: [
    { id: "t", uri: "t.gguf", role: "target", family: "f" },
    { id: "ft", uri: "ft.gguf", role: "target", family: "f" },
    { id: "g", uri: "g.gguf", role: "target", family: "other" },
    { id: "d", uri: "d.gguf", role: "draft", family: "f" },
    { id: "e", uri: "e.gguf", role: "embedding", family: "x" },
    { id: "e2", uri: "e2.gguf", role: "embedding", family: "x" },
  ],
  adapters: [
    { id: "a", uri: "a.gguf", base: "t" },
    { id: "aft", uri: "aft.gguf", base: "ft" },
  ],
  variants: [
    {
      id: "base",
      label: "Base",
      description: "the target with an adapter",
      target: "t",
      draft: "d",
      embedding: "e",
      adapters: [{ id: "a", scale: 0.5 }],
    },
    {
      id: "tuned",
      label: "Tuned",
      description: "the fine-tune with its adapter",
      target: "ft",
      adapters: [{ id: "aft", scale: 1 }],
    },
    {
      id: "merged",
      label: "Merged",
      description: "a merge",
      draft: "d",
      merge: { method: "ties", base: "t", inputs: [{ id: "ft", weight: 1 }] },
    },
    { id: "other", label: "Other", description: "another family", target: "g" },
    {
      id: "srv",
      label: "Server",
      description: "on a server",
      target: "t",
      remote: { kind: "llama-server", url: "http://gpu-box:8080" },
    },
    {
      id: "ens",
      label: "Ensemble",
      description: "base and tuned, token by token",
      tokenEnsemble: {
        members: [
          { variant: "base", weight: 0.25 },
          { variant: "tuned", weight: 0.75 },
        ],
      },
    },
  ] as Record<string, unknown>[],
});

type CatalogJson = ReturnType<typeof catalogJson>;
type Members = { variant: unknown; weight: unknown; [key: string]: unknown }[];

const ensembleOf = (c: CatalogJson) => c.variants[ENSEMBLE]!;
const membersOf = (c: CatalogJson) => (ensembleOf(c).tokenEnsemble as { members: Members }).members;
const combine = (c: CatalogJson) => combineCatalogLayers([parseCatalogLayer(c, FILE)]);

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

function referenceError(json: CatalogJson, expected: RegExp): void {
  assert.throws(
    () => combine(json),
    (e: unknown) => {
      assert.ok(e instanceof CatalogReferenceError, String(e));
      assert.ok(e.message.startsWith(`${FILE}: `), e.message);
      assert.match(e.message, expected);
      return true;
    },
  );
}

describe("token-ensemble variants in the catalog", () => {
  test("refuse what a token ensemble cannot be, naming the file and the JSON path", () => {
    const at = `$.variants[${ENSEMBLE}]`;
    const cases: [(c: CatalogJson) => unknown, string, RegExp][] = [
      [
        (c) => (membersOf(c).pop(), c),
        `${at}.tokenEnsemble.members`,
        /expected exactly two members .*, not 1$/,
      ],
      [
        (c) => (membersOf(c).push({ variant: "other", weight: 1 }), c),
        `${at}.tokenEnsemble.members`,
        /expected exactly two members .*, not 3$/,
      ],
      [
        (c) => ((ensembleOf(c).tokenEnsemble = {}), c),
        `${at}.tokenEnsemble.members`,
        /expected an array, got nothing/,
      ],
      [
        (c) => ((ensembleOf(c).tokenEnsemble = { members: membersOf(c), weights: [1, 1] }), c),
        `${at}.tokenEnsemble.weights`,
        /unknown key/,
      ],
      [
        (c) => ((membersOf(c)[0]!.weight = -0.5), c),
        `${at}.tokenEnsemble.members[0].weight`,
        /expected a number >= 0, got -0.5/,
      ],
      [
        (c) => ((membersOf(c)[1]!.weight = "0.5"), c),
        `${at}.tokenEnsemble.members[1].weight`,
        /expected a number >= 0, got "0.5"/,
      ],
      [
        (c) => ((membersOf(c)[1]!.weight = Number.POSITIVE_INFINITY), c),
        `${at}.tokenEnsemble.members[1].weight`,
        /expected a number >= 0/,
      ],
      [
        (c) => ((membersOf(c)[0]!.weight = Number.NaN), c),
        `${at}.tokenEnsemble.members[0].weight`,
        /expected a number >= 0/,
      ],
      [
        (c) => ((membersOf(c)[0]!.weight = 0), (membersOf(c)[1]!.weight = 0), c),
        `${at}.tokenEnsemble.members`,
        /expected weights that are not both 0/,
      ],
      [
        (c) => ((membersOf(c)[0]!.variant = "Base"), c),
        `${at}.tokenEnsemble.members[0].variant`,
        /expected an id of lowercase letters/,
      ],
      [
        (c) => ((membersOf(c)[1]!.scale = 1), c),
        `${at}.tokenEnsemble.members[1].scale`,
        /unknown key; the keys allowed here are variant, weight/,
      ],
      [
        (c) => ((ensembleOf(c).target = "t"), c),
        `${at}.target`,
        /expected no target on a token ensemble \(its target is member 0's/,
      ],
      [(c) => ((ensembleOf(c).draft = "d"), c), `${at}.draft`, /expected no draft on a token ensemble/],
      [
        (c) => ((ensembleOf(c).adapters = [{ id: "a", scale: 1 }]), c),
        `${at}.adapters`,
        /expected no adapters on a token ensemble \(give them to a member variant\)/,
      ],
      [
        (c) => ((ensembleOf(c).merge = { method: "ties", base: "t", inputs: [{ id: "ft", weight: 1 }] }), c),
        `${at}.merge`,
        /expected no merge on a token ensemble/,
      ],
      [
        (c) => ((ensembleOf(c).remote = { kind: "llama-server", url: "http://gpu-box:8080" }), c),
        `${at}.remote`,
        /expected no remote on a token ensemble/,
      ],
    ];
    for (const [edit, path, expected] of cases) schemaError(edit(catalogJson()), path, expected);
  });

  test("refuse members that are missing, on a server, ensembles themselves or of another family, naming the member's path", () => {
    const at = String.raw`\$\.variants\[${ENSEMBLE}\]`;
    const cases: [(c: CatalogJson) => CatalogJson, RegExp][] = [
      [
        (c) => ((membersOf(c)[1]!.variant = "nope"), c),
        new RegExp(`${at}\\.tokenEnsemble\\.members\\[1\\]\\.variant: no variant has the id 'nope'$`),
      ],
      [
        (c) => ((membersOf(c)[0]!.variant = "srv"), c),
        new RegExp(
          `${at}\\.tokenEnsemble\\.members\\[0\\]\\.variant: variant 'srv' runs on llama-server at http://gpu-box:8080; both members of a token ensemble must run on this machine$`,
        ),
      ],
      [
        (c) => ((membersOf(c)[0]!.variant = "ens"), c),
        new RegExp(
          `${at}\\.tokenEnsemble\\.members\\[0\\]\\.variant: variant 'ens' is a token ensemble itself`,
        ),
      ],
      [
        (c) => (
          c.variants.push({
            id: "ens2",
            label: "Nested",
            description: "an ensemble of an ensemble",
            tokenEnsemble: {
              members: [
                { variant: "base", weight: 1 },
                { variant: "ens", weight: 1 },
              ],
            },
          }),
          c
        ),
        /\$\.variants\[6\]\.tokenEnsemble\.members\[1\]\.variant: variant 'ens' is a token ensemble itself; the members must be plain, adapter or merged variants/,
      ],
      [
        (c) => ((membersOf(c)[1]!.variant = "other"), c),
        new RegExp(
          `${at}\\.tokenEnsemble\\.members\\[1\\]\\.variant: variant 'other' targets family 'other' but 'base' targets 'f'; the members of a token ensemble must share a tokenizer$`,
        ),
      ],
      [
        (c) => ((ensembleOf(c).embedding = "t"), c),
        new RegExp(`${at}\\.embedding: model 't' has role 'target', expected 'embedding'$`),
      ],
      // A problem inside a member is reported where the member defines it, not at the ensemble.
      [
        (c) => ((c.variants[1]!.target = "missing"), c),
        /\$\.variants\[1\]\.target: no model has the id 'missing'$/,
      ],
    ];
    for (const [edit, expected] of cases) referenceError(edit(catalogJson()), expected);
  });

  test("take member 0's target and embedding model, run no draft, and need both members' model files but not their drafts", () => {
    const catalog = combine(catalogJson());
    const ensemble = catalog.variants.get("ens")!;
    assert.equal(ensemble.target, "t");
    assert.equal(ensemble.embedding, "e", "member 0's embedding model when it names none");
    assert.deepEqual([ensemble.draft, ensemble.merge, ensemble.adapters], [undefined, undefined, []]);
    assert.deepEqual(ensemble.tokenEnsemble, {
      members: [
        { variant: "base", weight: 0.25 },
        { variant: "tuned", weight: 0.75 },
      ],
    });
    assert.deepEqual(
      localEntriesOf(catalog, ensemble).map((entry) => entry.id),
      ["t", "a", "ft", "aft"],
    );

    const own = catalogJson();
    ensembleOf(own).embedding = "e2";
    membersOf(own)[0]!.variant = "merged";
    const withMerge = combine(own);
    assert.equal(withMerge.variants.get("ens")!.embedding, "e2", "its own embedding model when it names one");
    assert.equal(withMerge.variants.get("ens")!.target, "t", "a merged member 0's target is its merge base");
    assert.deepEqual(
      localEntriesOf(withMerge, withMerge.variants.get("ens")!).map((entry) => entry.id),
      ["t", "ft", "aft"],
    );
  });

  test("find their members after the catalogs are combined: a user catalog may replace a member, or add an ensemble of shipped variants", () => {
    const userMembers = [
      { variant: "merged", weight: 1 },
      { variant: "other", weight: 0 },
    ];
    const user = {
      version: 1,
      variants: [
        {
          id: "base",
          label: "Base, replaced",
          description: "the fine-tune now",
          target: "ft",
          embedding: "e2",
        },
        {
          id: "ens-user",
          label: "User ensemble",
          description: "of two variants of the first file",
          tokenEnsemble: { members: userMembers },
        },
      ],
    };
    const json = catalogJson();
    json.variants.splice(3, 1); // "other" is defined nowhere now: the user's ensemble must fail on it
    const ENS = ENSEMBLE - 1;
    assert.throws(
      () =>
        combineCatalogLayers([
          parseCatalogLayer(json, FILE),
          parseCatalogLayer(user, "/home/me/models.json"),
        ]),
      (e: unknown) =>
        e instanceof CatalogReferenceError &&
        /^\/home\/me\/models\.json: \$\.variants\[1\]\.tokenEnsemble\.members\[1\]\.variant: no variant has the id 'other'$/.test(
          e.message,
        ),
    );
    userMembers[1]!.variant = "tuned";
    const catalog = combineCatalogLayers([
      parseCatalogLayer(json, FILE),
      parseCatalogLayer(user, "/home/me/models.json"),
    ]);
    assert.equal(catalog.variants.get("ens")!.target, "ft", "member 0 is the replaced 'base'");
    assert.equal(catalog.variants.get("ens")!.embedding, "e2");
    assert.equal(catalog.variants.get("ens")!.origin.path, `$.variants[${ENS}]`);
    assert.equal(catalog.variants.get("ens-user")!.target, "t");
  });
});

describe("the shipped token-ensemble variant", () => {
  test("coop-tiny-ensemble averages coop-tiny and coop-tiny-ft-python half and half, and resolves to their files", async () => {
    const set = await fixtures();
    const catalog = await loadCatalog();
    const ensemble = catalog.variants.get("coop-tiny-ensemble")!;
    assert.equal(ensemble.label, "Coop tiny, ensemble of the base and the Python fine-tune");
    assert.deepEqual(ensemble.tokenEnsemble?.members, [
      { variant: "coop-tiny", weight: 0.5 },
      { variant: "coop-tiny-ft-python", weight: 0.5 },
    ]);
    assert.equal(catalog.variants.get("coop-tiny-ft-python")!.target, "tiny-target-ft-python");
    assert.deepEqual(
      localEntriesOf(catalog, ensemble).map((entry) => entry.id),
      ["tiny-target", "tiny-target-ft-python"],
      "not the members' draft",
    );

    const resolved = await resolveVariant(
      catalog,
      "coop-tiny-ensemble",
      new ModelResolver({ cacheDir: "/nonexistent", tinyModels: fixtures }),
    );
    assert.deepEqual(
      { ...resolved, variant: resolved.variant.id, targetModel: resolved.targetModel.id },
      {
        variant: "coop-tiny-ensemble",
        target: set.target,
        embedding: set.embedding,
        adapters: [],
        targetModel: "tiny-target",
        tokenEnsemble: {
          targetWeight: 0.5,
          partner: { model: set.fineTunes.python, adapters: [], weight: 0.5 },
        },
      },
    );
  });

  test("members with run-time adapters or a merge resolve as they do alone: member 0 gives the target, member 1 the partner", async () => {
    const set = await fixtures();
    const dir = await mkdtemp(join(tmpdir(), "coop-ensemble-catalog-"));
    try {
      const user = {
        version: 1,
        variants: [
          {
            id: "python-ties",
            label: "Python adapter + TIES",
            description: "adapter member first",
            tokenEnsemble: {
              members: [
                { variant: "coop-tiny-python", weight: 1 },
                { variant: "coop-tiny-ties", weight: 3 },
              ],
            },
          },
          {
            id: "ties-python",
            label: "TIES + Python adapter",
            description: "merged member first",
            tokenEnsemble: {
              members: [
                { variant: "coop-tiny-ties", weight: 3 },
                { variant: "coop-tiny-python", weight: 1 },
              ],
            },
          },
        ],
      };
      const catalog = combineCatalogLayers([
        await readCatalogLayer(shippedCatalogPath()),
        parseCatalogLayer(user, join(dir, "user.json")),
      ]);
      const resolver = new ModelResolver({ cacheDir: dir, tinyModels: fixtures });
      const merged = (await mergedVariantPath(catalog, catalog.variants.get("coop-tiny-ties")!, resolver))
        .path;
      const adapterFirst = await resolveVariant(catalog, "python-ties", resolver);
      assert.ok(
        existsSync(merged),
        "the merged member was merged on first use, into the same file as the variant alone",
      );
      assert.equal(adapterFirst.target, set.target);
      assert.deepEqual(adapterFirst.adapters, [{ filePath: set.adapters.python, scale: 1 }]);
      assert.deepEqual(adapterFirst.tokenEnsemble, {
        targetWeight: 1,
        partner: { model: merged, adapters: [], weight: 3 },
      });

      const mergedFirst = await resolveVariant(catalog, "ties-python", resolver);
      assert.equal(mergedFirst.target, merged);
      assert.deepEqual(mergedFirst.adapters, []);
      assert.equal(mergedFirst.targetModel.id, "tiny-target");
      assert.deepEqual(mergedFirst.tokenEnsemble, {
        targetWeight: 3,
        partner: { model: set.target, adapters: [{ path: set.adapters.python, scale: 1 }], weight: 1 },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("downloading an ensemble fetches its members' hf: models, not their drafts", async () => {
    const set = await fixtures();
    const dir = await mkdtemp(join(tmpdir(), "coop-ensemble-download-"));
    const server = await serveFiles({
      "/coop/tiny/resolve/main/target-ft-python.gguf": set.fineTunes.python!,
    });
    const engine = new CooperativeEngine();
    try {
      const bytes = await readFile(set.fineTunes.python!);
      const userCatalog = join(dir, "user.json");
      await writeFile(
        userCatalog,
        JSON.stringify({
          version: 1,
          models: [
            {
              id: "hosted-ft-python",
              uri: "hf:coop/tiny/target-ft-python.gguf",
              role: "target",
              family: "coop-tiny",
              sha256: createHash("sha256").update(bytes).digest("hex"),
              size: bytes.length,
            },
            // Not served: asking for it would fail the download.
            {
              id: "hosted-draft",
              uri: "hf:coop/tiny/draft.gguf",
              role: "draft",
              family: "coop-tiny",
              size: 1000,
            },
          ],
          variants: [
            {
              id: "hosted",
              label: "Hosted fine-tune",
              description: "from a model host, with a draft",
              target: "hosted-ft-python",
              draft: "hosted-draft",
            },
            {
              id: "hosted-ensemble",
              label: "Ensemble with a hosted member",
              description: "coop-tiny and the hosted fine-tune",
              tokenEnsemble: {
                members: [
                  { variant: "coop-tiny", weight: 1 },
                  { variant: "hosted", weight: 1 },
                ],
              },
            },
          ],
        }),
      );
      const request = {
        variantId: "hosted-ensemble",
        catalogFiles: [join(repoRoot, "models.json"), userCatalog],
        cacheDir: coopCacheDir(),
        modelsDir: join(dir, "models"),
      };
      await assert.rejects(
        engine.loadCatalogVariant({ ...request, gpu: "cpu" }),
        /'hosted-ft-python' \(hf:coop\/tiny\/target-ft-python\.gguf\) is not downloaded yet/,
      );
      const result = await engine.downloadVariant({ ...request, huggingFaceEndpoint: server.url });
      assert.deepEqual(result.downloaded, ["hosted-ft-python"]);
      assert.equal(result.bytes, bytes.length);
      assert.ok(!server.requests.some((line) => line.includes("draft")), server.requests.join(", "));
    } finally {
      await engine.dispose();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the shipped token ensemble in the engine", () => {
  let engine: CooperativeEngine;
  let resolved: ResolvedVariant;
  let target: LlamaModel;
  let partner: LlamaModel;
  let targetSequence: LlamaContextSequence;
  let partnerSequence: LlamaContextSequence;
  const teardown = new Teardown();

  before(async () => {
    // The files the engine resolves the variant to, resolved the same way here for the reference.
    resolved = await resolveVariant(
      await loadCatalog([join(repoRoot, "models.json")]),
      "coop-tiny-ensemble",
      new ModelResolver({ cacheDir: coopCacheDir() }),
    );
    const runtime = await testRuntime();
    target = (await runtime.loadModel(resolved.target)).model;
    teardown.add(() => target.dispose());
    partner = (await runtime.loadModel(resolved.tokenEnsemble!.partner.model)).model;
    teardown.add(() => partner.dispose());
    targetSequence = (await runtime.createContext(target, { contextSize: 1024 })).getSequence();
    teardown.add(() => targetSequence.context.dispose());
    partnerSequence = (await runtime.createContext(partner, { contextSize: 1024 })).getSequence();
    teardown.add(() => partnerSequence.context.dispose());
    engine = new CooperativeEngine();
    teardown.add(() => engine.dispose());
  });

  after(async () => {
    await teardown.run();
    await disposeTestRuntime();
  });

  /** The next-token distribution after `tokens` as a dense array, from a fresh evaluation. */
  async function distribution(
    sequence: LlamaContextSequence,
    tokens: readonly Token[],
  ): Promise<Float64Array> {
    await sequence.clearHistory();
    const results = await sequence.controlledEvaluate(
      tokens.map((token, index) =>
        index === tokens.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
      ),
    );
    const probabilities = results.at(-1)!.next.probabilities!;
    const dense = new Float64Array(Math.max(...probabilities.keys()) + 1);
    for (const [token, probability] of probabilities) dense[token] = probability;
    return dense;
  }

  const argmax = (values: ArrayLike<number>): number => {
    let best = 0;
    for (let index = 1; index < values.length; index++) if (values[index]! > values[best]!) best = index;
    return best;
  };

  test("loadCatalogVariant runs it without a draft, and every token is the argmax of the reference half-and-half average", async () => {
    const state = await engine.loadCatalogVariant({
      variantId: "coop-tiny-ensemble",
      catalogFiles: [join(repoRoot, "models.json")],
      cacheDir: coopCacheDir(),
      gpu: "cpu",
    });
    assert.equal(state.id, "coop-tiny-ensemble");
    assert.equal(state.speculative, false, "a token ensemble runs no draft");
    const weights = {
      target: resolved.tokenEnsemble!.targetWeight,
      partner: resolved.tokenEnsemble!.partner.weight,
    };
    assert.deepEqual(weights, { target: 0.5, partner: 0.5 });

    const cursors = [
      { prefix: "import numpy as np\n\n\ndef read_tensor(reader, name):\n    ", suffix: "\n" },
      { prefix: "class GGUFWriter:\n    def __init__(self, path, arch):\n        self.", suffix: "\n" },
      { prefix: "def add_key_value(self, key: str, val, vtype):\n    if ", suffix: "\n    return self\n" },
    ];
    const maxTokens = 24;
    let steps = 0;
    let differsFromTarget = 0;
    let differsFromPartner = 0;
    for (const [index, { prefix, suffix }] of cursors.entries()) {
      const request = {
        document: `file:///ensemble-${index}.py`,
        path: `ensemble_${index}.py`,
        projectName: "demo",
        prefix,
        suffix,
        chunks: [],
        multiline: true,
        maxTokens,
      };
      const answer = await engine.complete(request);
      assert.equal(answer.source, "generated");

      const prompt = buildFimPrompt(
        {
          prefix,
          suffix,
          path: request.path,
          chunks: [],
          projectName: request.projectName,
          budgetTokens: defaultCompletionEngineOptions.promptBudgetTokens,
        },
        fimTokensOf(target)!,
        (text) => target.tokenize(text, false),
      ).tokens;
      const chosen: Token[] = [];
      while (chosen.length < maxTokens) {
        const fromTarget = await distribution(targetSequence, [...prompt, ...chosen]);
        const fromPartner = await distribution(partnerSequence, [...prompt, ...chosen]);
        const averaged = fromTarget.map(
          (probability, id) => weights.target * probability + weights.partner * (fromPartner[id] ?? 0),
        );
        const token = argmax(averaged) as Token;
        if (target.isEogToken(token)) break;
        if (argmax(fromTarget) !== token) differsFromTarget++;
        if (argmax(fromPartner) !== token) differsFromPartner++;
        chosen.push(token);
        steps++;
      }
      assert.equal(
        answer.raw,
        target.detokenize(chosen, false),
        `cursor ${index}: the engine's tokens are the reference average's argmax at every step`,
      );
    }
    assert.ok(steps >= 2 * maxTokens, `enough steps compared (${steps})`);
    assert.ok(
      differsFromTarget > 0 && differsFromPartner > 0,
      `the average differs from each model alone somewhere (${differsFromTarget}, ${differsFromPartner}), or the test proves nothing`,
    );
    assert.equal((await engine.stats()).sequencesInUse, 0);
  });
});
