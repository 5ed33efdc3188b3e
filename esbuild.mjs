// Bundles Coop: one esbuild context per target. Type-checking is separate (`npm run typecheck`).
//   node esbuild.mjs               build once (development: sourcemaps, no minify)
//   node esbuild.mjs --production  minified, no sourcemaps
//   node esbuild.mjs --watch       rebuild on change, errors in the problem-matcher format
// Other scripts build the same bundles elsewhere with targetsFor({ production, outdir }).
import * as esbuild from "esbuild";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = dirname(fileURLToPath(import.meta.url));

/**
 * node-llama-cpp is ESM-only and ships native binaries: it is never bundled, and it is loaded with a
 * dynamic import() that has to stay an import() in the CommonJS extension bundle (a require() of an
 * ES module fails on the Node of older VS Code hosts). test/engine/bundle.test.ts checks the output.
 */
const nativeExternals = ["node-llama-cpp", "@node-llama-cpp/*"];

/**
 * typescript (9 MB) is loaded from node_modules with import() in the detector's compiler thread only,
 * next to the lib.*.d.ts files it reads: never bundled (scripts/package.mjs ships it).
 */
const loadedExternals = ["typescript"];

/** Prints errors the way VS Code's `$esbuild-watch` problem matcher reads them. */
function problemMatcherLogger(watch) {
  return {
    name: "problem-matcher-logger",
    setup(build) {
      build.onStart(() => {
        if (watch) console.log("[watch] build started");
      });
      build.onEnd((result) => {
        for (const { text, location } of result.errors) {
          console.error(`✘ [ERROR] ${text}`);
          if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
        if (watch) console.log("[watch] build finished");
      });
    },
  };
}

/**
 * The esbuild options of every bundle: the extension host's (CommonJS), the chat UI's (browser), the
 * engine host's and the CLI's (ESM), written to `outdir` (relative to the repo, or absolute).
 * Production bundles are minified and carry no source maps.
 */
export function targetsFor({ production = false, outdir = "out", watch = false } = {}) {
  const common = {
    absWorkingDir: repoRoot,
    bundle: true,
    outdir,
    minify: production,
    sourcemap: production ? false : "linked",
    sourcesContent: false,
    logLevel: "silent",
    plugins: [problemMatcherLogger(watch)],
  };

  /** A Node program bundled as ESM, with node-llama-cpp loaded from node_modules at run time. */
  const nodeEsmTarget = (entryPoints) => ({
    ...common,
    entryPoints,
    outExtension: { ".js": ".mjs" },
    platform: "node",
    format: "esm",
    target: "node20",
    external: [...nativeExternals, ...loadedExternals],
    // Bundled ESM has no `require`; some dependencies still call it for Node built-ins.
    banner: {
      js: "import { createRequire as __coopCreateRequire } from 'node:module'; const require = __coopCreateRequire(import.meta.url);",
    },
  });

  return [
    {
      ...common,
      entryPoints: { extension: "extension/extension.ts" },
      outExtension: { ".js": ".cjs" },
      platform: "node",
      format: "cjs",
      // Prefer a package's ESM build: UMD builds (jsonc-parser's) hide their require() calls from the
      // bundler.
      mainFields: ["module", "main"],

      target: "node20",
      external: ["vscode", ...nativeExternals],
    },
    {
      ...common,
      entryPoints: { webview: "webview/main.ts" },
      platform: "browser",
      format: "iife",
      target: "es2022",
    },
    // The engine host: a child process of the extension host that runs node-llama-cpp (see engine/host).
    nodeEsmTarget({ engineHost: "engine/host/server/hostMain.ts" }),
    nodeEsmTarget({ cli: "engine/cli/main.ts" }),
    // The worker thread merges share their arithmetic with (engine/merge), started by the engine
    // host's and the CLI's bundles from next to them.
    nodeEsmTarget({ mergeWorker: "engine/merge/mergeWorker.ts" }),
    // The worker thread the detector's TypeScript language service runs in (engine/detector/typescript).
    nodeEsmTarget({ typeScriptWorker: "engine/detector/typescript/typeScriptWorker.ts" }),
    // The worker thread that shares indexing's syntax analysis (engine/retriever/parallelAnalysis.ts).
    nodeEsmTarget({ analysisWorker: "engine/retriever/analysisWorker.ts" }),
  ];
}

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

/** The targets of this invocation (the repo's out/); tests import it to bundle with the same options. */
export const targets = targetsFor({ production, watch });

/** Builds every target (or watches them). Skipped when a test imports this file for `targets`. */
async function build() {
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  try {
    if (watch) {
      await Promise.all(contexts.map((context) => context.watch()));
    } else {
      const results = await Promise.allSettled(contexts.map((context) => context.rebuild()));
      await Promise.all(contexts.map((context) => context.dispose()));
      if (results.some((r) => r.status === "rejected")) process.exit(1);
    }
  } catch (error) {
    await Promise.all(contexts.map((context) => context.dispose()));
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
