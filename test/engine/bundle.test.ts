import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import * as esbuild from "esbuild";
import { repoRoot } from "../support/repoRoot.js";

const { targets } = (await import(join(repoRoot, "esbuild.mjs"))) as { targets: esbuild.BuildOptions[] };
const extensionTarget = targets.find((target) => target.format === "cjs");

test("the extension bundle keeps node-llama-cpp as a dynamic import() (it is ESM-only)", async () => {
  assert.ok(extensionTarget, "esbuild.mjs has a CommonJS extension target");
  // Bundle the engine's loader with exactly the extension's options.
  const result = await esbuild.build({
    ...extensionTarget,
    entryPoints: [join(repoRoot, "engine/runtime/nodeLlamaCpp.ts")],
    outdir: undefined,
    outfile: "probe.cjs",
    write: false,
    sourcemap: false,
    plugins: [],
  });
  const code = result.outputFiles[0]!.text;
  assert.match(code, /import\(\s*["']node-llama-cpp["']\s*\)/);
  assert.doesNotMatch(code, /require\(\s*["']node-llama-cpp["']\s*\)/);
});

test("the built extension bundle is CommonJS, leaves vscode external and has activate/deactivate", async () => {
  const code = await readFile(join(repoRoot, "out", "extension.cjs"), "utf8");
  assert.match(code, /require\(["']vscode["']\)/);
  assert.match(code, /activate/);
  assert.match(code, /deactivate/);
});

test("the built extension bundle loads with only vscode and Node built-ins outside it", async () => {
  const { createRequire, builtinModules } = await import("node:module");
  const require = createRequire(import.meta.url);
  const Module = require("node:module") as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = Module._load;
  const outside = new Set<string>();
  // The vscode API as far as the bundle names it: each member a callable, constructible stub whose
  // members are stubs too, so module-level uses of vscode work.
  const bundleText = await readFile(join(repoRoot, "out", "extension.cjs"), "utf8");
  const member: object = new Proxy(function () {}, {
    get: (_target, key) => (key === "prototype" ? {} : member),
  });
  const vscodeStub = Object.fromEntries(
    [...bundleText.matchAll(/\bvscode\d*\.(\w+)/g)].map((match) => [match[1]!, member]),
  );
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === "vscode") return vscodeStub;
    if (!builtinModules.includes(request.replace(/^node:/, ""))) outside.add(request);
    return originalLoad.call(this, request, ...rest);
  };
  try {
    const bundle = join(repoRoot, "out", "extension.cjs");
    delete require.cache[bundle];
    const loaded = require(bundle) as { activate?: unknown; deactivate?: unknown };
    assert.equal(typeof loaded.activate, "function");
    assert.equal(typeof loaded.deactivate, "function");
  } finally {
    Module._load = originalLoad;
  }
  assert.deepEqual(
    [...outside].filter((request) => request !== join(repoRoot, "out", "extension.cjs")),
    [],
  );
});

test("the extension host stays light: no node-llama-cpp, no tree-sitter, no detector data in its bundle", async () => {
  const code = await readFile(join(repoRoot, "out", "extension.cjs"), "utf8");
  assert.doesNotMatch(
    code,
    /import\(\s*["']node-llama-cpp["']\s*\)/,
    "inference runs in the engine host, not the extension host",
  );
  assert.doesNotMatch(code, /web-tree-sitter\.wasm|Parser\.init/, "parsing runs in the engine host");
  assert.ok(
    code.length < 400_000,
    `extension.cjs is ${code.length} bytes: something heavy was bundled into the extension host`,
  );
});

test("the built CLI bundle reaches node-llama-cpp only through import()", async () => {
  const code = await readFile(join(repoRoot, "out", "cli.mjs"), "utf8");
  assert.match(code, /import\(\s*["']node-llama-cpp["']\s*\)/);
  assert.doesNotMatch(code, /require\(\s*["']node-llama-cpp["']\s*\)/);
});
