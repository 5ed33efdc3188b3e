import { readdir } from "node:fs/promises";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { repoRoot } from "../../support/repoRoot.js";

const sourceDir = join(repoRoot, "test", "editor", "extensionHost");

/**
 * Bundles the extension-host tests for the extension host, which loads CommonJS with require():
 * index.cjs (the run() entry, with mocha inside: mocha 12 is ESM that an older VS Code's Node could not
 * require) and one suites/<name>.suite.cjs per suite, which use mocha's globals. Only `vscode`
 * stays external: the extension host provides it. Returns the path of index.cjs.
 */
export async function bundleExtensionTests(outDir: string): Promise<string> {
  const suites = (await readdir(join(sourceDir, "suites"))).filter((name) => name.endsWith(".suite.ts"));
  await esbuild.build({
    entryPoints: {
      index: join(sourceDir, "index.ts"),
      ...Object.fromEntries(
        suites.map((name) => [`suites/${name.replace(/\.ts$/, "")}`, join(sourceDir, "suites", name)]),
      ),
    },
    outdir: outDir,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    logLevel: "error",
    // mocha's parallel mode resolves worker files at run time; the suites never run in parallel.
    logOverride: { "require-resolve-not-external": "silent" },
  });
  return join(outDir, "index.cjs");
}
