import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type * as WebTreeSitter from "web-tree-sitter";
import { EngineHostClient } from "../../engine/host/index.js";
import { languageIds } from "../../engine/syntax/languages.js";
import {
  extractedSourceMarkerFile,
  packagedLlamaCppSourceFolder,
  type ExtractedLlamaCppSourceMarker,
} from "../../engine/tinymodel/extractedLlamaCppSource.js";
import { pinnedCorpora } from "../../engine/tinymodel/pinnedCorpora.js";
import { tinyModelSetKey } from "../../engine/tinymodel/tinyModelStore.js";
import { fixtureCorpora, nodeLlamaCppDir } from "../support/fixtures.js";
import { repoRoot } from "../support/repoRoot.js";
import { freshVsix } from "./freshVsix.js";
import { ZipArchive } from "./zipArchive.js";

const run = promisify(execFile);
const target = "linux-x64";
const platform = { os: "linux", cpu: "x64", libc: "glibc" };
/** CPU and Vulkan; CUDA is left out for size (node-llama-cpp falls back to Vulkan, then the CPU). */
const expectedBinaryPackages = ["linux-x64", "linux-x64-vulkan"];
const binariesHere = existsSync(
  join(repoRoot, "node_modules", "@node-llama-cpp", "linux-x64", "package.json"),
);

/**
 * 40.0 MB today: the Vulkan binaries (24 MB), the CPU binaries (11 MB), tree-sitter grammars (2 MB),
 * JavaScript (2 MB), the llama.cpp files of the tiny models' corpora (0.3 MB; node-llama-cpp's 35 MB
 * source bundle they come from is left out). 48 MB leaves a fifth for upgrades; the smallest CUDA
 * package alone would add 143 MB.
 */
const maxVsixBytes = 48e6;

/** Top-level files and folders a VSIX may hold (inside its `extension/` folder). */
const shippedOutsideNodeModules =
  /^(out\/(extension\.cjs|engineHost\.mjs|mergeWorker\.mjs|typeScriptWorker\.mjs|analysisWorker\.mjs|webview\.js)|media\/.+|corpora\/llama\.cpp\/.+|models\.json|models\.schema\.json|package\.json|readme\.md|changelog\.md|LICENSE(\.md|\.txt)?)$/;

interface Manifest {
  name?: string;
  main?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  contributes?: unknown;
}

describe(
  `the ${target} VSIX`,
  { skip: binariesHere ? false : `node-llama-cpp's ${target} binaries are not installed here` },
  () => {
    let vsix: string;
    let zip: ZipArchive;
    /** Paths inside the extension folder of the VSIX. */
    let files: Set<string>;
    const manifestIn = (path: string): Manifest =>
      JSON.parse(zip.read(`extension/${path}`).toString("utf8")) as Manifest;

    before(async () => {
      vsix = await freshVsix(target);
      zip = await ZipArchive.open(vsix);
      files = new Set(
        zip.entries
          .filter((entry) => entry.name.startsWith("extension/"))
          .map((entry) => entry.name.slice("extension/".length)),
      );
    });

    test("holds the bundles, the catalog, the manifest and node-llama-cpp with its binaries", () => {
      for (const file of [
        "out/extension.cjs",
        "out/engineHost.mjs",
        "out/webview.js",
        "models.json",
        "models.schema.json",
        "package.json",
        "node_modules/node-llama-cpp/package.json",
        "node_modules/node-llama-cpp/dist/index.js",
        "node_modules/@node-llama-cpp/linux-x64/package.json",
        "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node",
      ]) {
        assert.ok(files.has(file), `${file} is in the VSIX`);
      }
      assert.match(
        zip.read("extension.vsixmanifest").toString("utf8"),
        new RegExp(`TargetPlatform="${target}"`),
      );
    });

    test("carries the repo's manifest with only the runtime dependencies and no development parts", async () => {
      const shipped = manifestIn("package.json");
      const repo = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as Manifest;
      assert.equal(shipped.main, repo.main);
      assert.ok(shipped.main && files.has(shipped.main.replace(/^\.\//, "")), "its entry point ships");
      assert.deepEqual(shipped.contributes, repo.contributes);
      assert.deepEqual(Object.keys(shipped.dependencies ?? {}).sort(), [
        "@vscode/tree-sitter-wasm",
        "node-llama-cpp",
        "typescript",
        "web-tree-sitter",
      ]);
      for (const [name, range] of Object.entries(shipped.dependencies ?? {}))
        assert.equal(range, repo.dependencies?.[name]);
      assert.equal(shipped.devDependencies, undefined);
      assert.equal(shipped.scripts, undefined);
    });

    test(`ships llama.cpp binaries for ${target} only`, () => {
      const binaryPackages = new Set(
        [...files]
          .map((file) => /^node_modules\/@node-llama-cpp\/([^/]+)\//.exec(file)?.[1])
          .filter((name) => name !== undefined),
      );
      assert.deepEqual([...binaryPackages].sort(), expectedBinaryPackages);
      const native = [...files].filter((file) => /\.(node|so|dylib|dll|exe|metallib)$/.test(file));
      assert.ok(native.length > 0);
      for (const file of native) {
        const root = packageRootOf(file);
        assert.ok(root !== undefined, `${file} belongs to a package`);
        const pkg = manifestIn(`${root}package.json`);
        assert.ok(
          fits(pkg.os, platform.os) && fits(pkg.cpu, platform.cpu) && fits(pkg.libc, platform.libc),
          `${file} (${pkg.name}) is made for ${target}`,
        );
      }
    });

    test("holds no sources, tests, types, source maps or development files", () => {
      for (const file of files) {
        assert.doesNotMatch(
          file,
          /^(engine|extension|webview|test|bench|patches|scripts|bin|\.ci|\.git|dist)\//,
          `${file} is not shipped`,
        );
        // typescript's standard library declarations are what the detector's compiler reads at run time.
        if (!/^node_modules\/typescript\/lib\/lib\.[\w.]+\.d\.ts$/.test(file))
          assert.doesNotMatch(file, /\.(ts|cts|mts|map)$/, `${file} is not shipped`);
        if (!file.startsWith("node_modules/"))
          assert.match(file, shippedOutsideNodeModules, `${file} is not on the allowlist`);
      }
    });

    test("every package's dependencies resolve inside the VSIX", () => {
      const roots = [...files]
        .map((file) => /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)package\.json$/.exec(file)?.[1])
        .filter((dir) => dir !== undefined);
      assert.ok(roots.length > 10);
      for (const dir of ["", ...roots]) {
        const pkg = manifestIn(`${dir}package.json`);
        for (const name of Object.keys(pkg.dependencies ?? {})) {
          if (name in (pkg.optionalDependencies ?? {})) continue;
          assert.ok(
            resolvesFrom(dir, name),
            `${pkg.name ?? "the extension"} needs ${name}, which the VSIX lacks`,
          );
        }
      }
    });

    test("holds what the engine reads at run time: the tiny models' corpora and the tree-sitter wasm files", async () => {
      // The corpora: node-llama-cpp's JavaScript, every file of it, and the llama.cpp files they read,
      // extracted from node-llama-cpp's source bundle, which itself stays out.
      const installedJs = (await filesUnder(join(nodeLlamaCppDir, "dist"))).filter((file) =>
        file.endsWith(".js"),
      );
      const shippedJs = [...files].filter(
        (file) => file.startsWith("node_modules/node-llama-cpp/dist/") && file.endsWith(".js"),
      );
      assert.deepEqual(
        shippedJs.map((file) => file.slice("node_modules/node-llama-cpp/dist/".length)).sort(),
        installedJs.sort(),
      );
      assert.ok(
        !files.has("node_modules/node-llama-cpp/llama/gitRelease.bundle"),
        "the 35 MB source bundle is left out",
      );
      const llamaCpp = `${packagedLlamaCppSourceFolder}/`;
      const marker = JSON.parse(
        zip.read(`extension/${llamaCpp}${extractedSourceMarkerFile}`).toString("utf8"),
      ) as ExtractedLlamaCppSourceMarker;
      const installed = JSON.parse(await readFile(join(nodeLlamaCppDir, "package.json"), "utf8")) as {
        version: string;
      };
      assert.equal(marker.nodeLlamaCppVersion, installed.version);
      assert.equal(
        marker.bundleSha256,
        sha256(await readFile(join(nodeLlamaCppDir, "llama", "gitRelease.bundle"))),
      );
      const corpora = await fixtureCorpora();
      const listed: string[] = [];
      for (const [corpus, name] of [
        [marker.corpora[0]!, "python"],
        [marker.corpora[1]!, "cpp"],
      ] as const) {
        // Exactly the files the corpus reads from a git checkout, with their hashes.
        assert.deepEqual(
          Object.keys(corpus.files),
          corpora[name].files.map((file) => file.path),
          `the ${name} corpus's files`,
        );
        for (const [path, hash] of Object.entries(corpus.files)) {
          assert.equal(
            sha256(zip.read(`extension/${llamaCpp}${corpus.folder}/${path}`)),
            hash,
            `${corpus.folder}/${path}`,
          );
          listed.push(`${llamaCpp}${corpus.folder}/${path}`);
        }
      }
      const shippedLlamaCpp = [...files].filter((file) => file.startsWith(llamaCpp)).sort();
      assert.deepEqual(
        shippedLlamaCpp,
        [...listed, `${llamaCpp}LICENSE`, `${llamaCpp}${extractedSourceMarkerFile}`].sort(),
      );
      assert.ok(files.has("node_modules/web-tree-sitter/web-tree-sitter.wasm"));
      // The detector's compiler check: typescript's language service and the standard library it reads.
      assert.ok(files.has("out/typeScriptWorker.mjs"));
      assert.ok(files.has("out/analysisWorker.mjs"));
      assert.ok(files.has("node_modules/typescript/lib/typescript.js"));
      assert.ok(files.has("node_modules/typescript/lib/lib.es5.d.ts"));
      for (const language of languageIds) {
        assert.ok(
          files.has(`node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-${language}.wasm`),
          `the ${language} grammar ships`,
        );
      }
    });

    test(`is under ${maxVsixBytes / 1e6} MB`, async () => {
      const { size } = await stat(vsix);
      assert.ok(size < maxVsixBytes, `${vsix} is ${(size / 1e6).toFixed(1)} MB`);
    });

    describe("unpacked", () => {
      let unpacked: string;
      let extension: string;

      before(async () => {
        unpacked = await mkdtemp(join(tmpdir(), "coop-vsix-"));
        await zip.extractTo(unpacked);
        extension = join(unpacked, "extension");
      });

      after(async () => {
        if (unpacked) await rm(unpacked, { recursive: true, force: true });
      });

      test("its node-llama-cpp loads its own prebuilt llama.cpp on the CPU", async () => {
        const probe = join(unpacked, "probe.mjs");
        await writeFile(
          probe,
          [
            "import { readFileSync } from 'node:fs';",
            "const { getLlama } = await import(process.argv[2]);",
            "const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });",
            "const addon = readFileSync('/proc/self/maps', 'utf8').split('\\n').map((line) => line.split(/\\s+/)[5]).find((path) => path?.endsWith('llama-addon.node'));",
            "console.log(JSON.stringify({ gpu: llama.gpu, buildType: llama.buildType, addon }));",
            "await llama.dispose();",
          ].join("\n"),
        );
        const entry = pathToFileURL(
          join(extension, "node_modules", "node-llama-cpp", "dist", "index.js"),
        ).href;
        const { stdout } = await run(process.execPath, [probe, entry], {
          cwd: unpacked,
          env: { ...process.env, NODE_OPTIONS: "" },
        });
        const loaded = JSON.parse(stdout.trim().split("\n").pop()!) as {
          gpu: unknown;
          buildType: string;
          addon?: string;
        };
        assert.equal(loaded.gpu, false);
        assert.equal(loaded.buildType, "prebuilt");
        assert.equal(
          loaded.addon,
          join(
            extension,
            "node_modules",
            "@node-llama-cpp",
            "linux-x64",
            "bins",
            "linux-x64",
            "llama-addon.node",
          ),
        );
      });

      test("the engine bundle finds and loads every tree-sitter wasm file inside it", async () => {
        // engine/syntax/wasmFiles.ts resolves them with createRequire(import.meta.url) from
        // out/engineHost.mjs.
        const resolver = createRequire(join(extension, "out", "engineHost.mjs"));
        const runtime = resolver.resolve("web-tree-sitter/web-tree-sitter.wasm");
        assert.ok(runtime.startsWith(extension), runtime);
        const { Language, Parser } = (await import(
          pathToFileURL(join(extension, "node_modules", "web-tree-sitter", "web-tree-sitter.js")).href
        )) as typeof WebTreeSitter;
        await Parser.init({ locateFile: () => runtime });
        for (const language of languageIds) {
          const grammar = resolver.resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${language}.wasm`);
          assert.ok(grammar.startsWith(extension), grammar);
          const loaded = await Language.load(grammar);
          assert.ok(loaded.nodeTypeCount > 0, `the ${language} grammar loads`);
        }
      });

      test("its node-llama-cpp and extracted llama.cpp files yield the installed corpora, without git", async () => {
        const cache = await mkdtemp(join(tmpdir(), "coop-vsix-corpora-"));
        try {
          const neverGit = (): Promise<void> =>
            new Promise(() => assert.fail("git was run: the extracted llama.cpp files were not used"));
          const shipped = await pinnedCorpora(join(extension, "node_modules", "node-llama-cpp"), cache, {
            extractedDir: join(extension, ...packagedLlamaCppSourceFolder.split("/")),
            git: neverGit,
          });
          const installed = await fixtureCorpora();
          for (const name of ["code", "python", "cpp"] as const)
            assert.equal(shipped[name].sha256, installed[name].sha256, `the ${name} corpus`);
          assert.deepEqual(await readdir(cache), []);
        } finally {
          await rm(cache, { recursive: true, force: true });
        }
      });

      test("its engine host builds the tiny models without git, into the folder a git checkout keys, and completes a line with coop-tiny", async () => {
        // The key of a normal build: the same builder, its default options, the corpora read from a git
        // checkout.
        const expectedSet = `tiny-models-${tinyModelSetKey(await fixtureCorpora())}`;
        const cache = await mkdtemp(join(tmpdir(), "coop-vsix-cache-"));
        const noGit = await mkdtemp(join(tmpdir(), "coop-vsix-path-"));
        const path = process.env.PATH;
        // The engine host inherits this PATH (it is started with the test's own node, by absolute path).
        process.env.PATH = noGit;
        const host = new EngineHostClient({ entry: join(extension, "out", "engineHost.mjs") });
        try {
          assert.equal(
            spawnSync("git", ["--version"]).error?.message,
            "spawnSync git ENOENT",
            "git is not on the engine's PATH",
          );
          const state = await host.loadCatalogVariant({
            variantId: "coop-tiny",
            catalogFiles: [join(extension, "models.json")],
            cacheDir: cache,
            gpu: "cpu",
            threads: 1,
          });
          process.env.PATH = path;
          assert.deepEqual(
            (await readdir(cache)).sort(),
            [expectedSet],
            "one set, keyed as a git checkout's corpora key it, and no llama.cpp checkout",
          );
          assert.ok(existsSync(join(cache, expectedSet, "manifest.json")));
          assert.equal(state.id, "coop-tiny");
          const result = await host.complete({
            document: "file:///vsix-check.js",
            path: "vsix-check.js",
            prefix: "export async function loadModel(options) {\n  const ",
            suffix: "\n}\n",
            multiline: false,
            maxTokens: 16,
          });
          assert.ok(result.raw.length > 0, "the engine answered with text");
        } finally {
          process.env.PATH = path;
          await host.dispose();
          await rm(cache, { recursive: true, force: true });
          await rm(noGit, { recursive: true, force: true });
        }
      });
    });

    /** The package folder (`node_modules/…/name/`) a file belongs to. */
    function packageRootOf(file: string): string | undefined {
      return /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(file)?.[1];
    }

    /**
     * Node's lookup: `dir/node_modules/name`, then in each enclosing node_modules up to the extension root.
     */
    function resolvesFrom(dir: string, name: string): boolean {
      let at = dir;
      for (;;) {
        if (files.has(`${at}node_modules/${name}/package.json`)) return true;
        if (at === "") return false;
        at = at.replace(/(?:@[^/]+\/)?[^/]+\/$/, "").replace(/node_modules\/$/, "");
      }
    }
  },
);

function fits(list: string[] | undefined, value: string | undefined): boolean {
  if (!list || list.length === 0 || value === undefined) return true;
  return (
    list.includes(value) || (list.every((entry) => entry.startsWith("!")) && !list.includes(`!${value}`))
  );
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split("\\").join("/"));
}
