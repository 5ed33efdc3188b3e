import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { defaultSyntaxAnalyzer, Retriever } from "../../engine/retriever/index.js";
import { MIN_BYTES_FOR_WORKER, ParallelAnalysis } from "../../engine/retriever/parallelAnalysis.js";
import { walkWorkspace } from "../../engine/retriever/workspaceFiles.js";
import { repoRoot } from "../support/repoRoot.js";

// Real sources this project did not write: zod's TypeScript (3 MB, above the worker's threshold).
const zodSources = join(repoRoot, "node_modules", "zod", "src");

async function sourcesOf(root: string, limit: number): Promise<{ path: string; text: string }[]> {
  const files: { path: string; text: string }[] = [];
  for await (const file of walkWorkspace(root)) {
    if (files.length === limit) break;
    files.push({ path: file.path, text: readFileSync(file.absolutePath, "utf8") });
  }
  return files;
}

describe("indexing's analysis shared with a worker thread", () => {
  test("the worker gives each file the analysis this thread gives it, and takes a share of them", async (t) => {
    if (availableParallelism() < 2) return t.skip("one CPU: indexing does not start a worker");
    const files = await sourcesOf(zodSources, 120);
    const local = defaultSyntaxAnalyzer(60);
    const parallel = ParallelAnalysis.start(local, 60, MIN_BYTES_FOR_WORKER);
    assert.ok(parallel, "a worker starts on this 2-core machine");
    try {
      // Until the worker has started, files are analysed here.
      const { path: firstPath, text: firstText } = files[0]!;
      assert.deepEqual(
        await parallel.analyze(firstPath, firstText),
        await local.analyze(firstPath, firstText),
      );
      for (let waited = 0; !parallel.workerReady && waited < 60_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(parallel.workerReady, "the worker started");
      // Issued all at once, as indexing issues them ahead: the worker takes what it has room for.
      const shared = await Promise.all(files.map(({ path, text }) => parallel.analyze(path, text)));
      for (const [index, { path, text }] of files.entries())
        assert.deepEqual(shared[index], await local.analyze(path, text), path);
      assert.ok(parallel.analysedInWorker > 0, "the worker analysed some files");
      assert.ok(parallel.analysedInWorker < files.length, "this thread analysed some too");
    } finally {
      await parallel.dispose();
    }
    // Once stopped, every file is analysed here, with the same result.
    const { path, text } = files[0]!;
    assert.deepEqual(await parallel.analyze(path, text), await local.analyze(path, text));
    assert.equal(
      ParallelAnalysis.start(local, 60, MIN_BYTES_FOR_WORKER - 1),
      undefined,
      "too little to share",
    );
  });

  test("a workspace indexed with the worker is the index built without it", async (t) => {
    if (availableParallelism() < 2) return t.skip("one CPU: indexing does not start a worker");
    const built: unknown[] = [];
    for (const analysisWorker of [true, false]) {
      const cacheDir = await mkdtemp(join(tmpdir(), "coop-parallel-analysis-"));
      try {
        const retriever = await Retriever.open({ root: zodSources, cacheDir, analysisWorker });
        const summary = await retriever.index();
        if (analysisWorker) assert.ok(summary.analysedInWorker > 0, "the worker took part");
        else assert.equal(summary.analysedInWorker, 0);
        const hits = await retriever.query("safeParse issues path message", { k: 5 });
        built.push({
          files: summary.files,
          chunks: summary.chunks,
          hits: hits.map((hit) => [hit.path, hit.startLine, hit.score]),
          definitions: retriever.symbols.byName("ZodError").map((symbol) => JSON.stringify(symbol)),
          symbolFiles: [...retriever.symbols.files()].length,
        });
        await retriever.dispose();
      } finally {
        await rm(cacheDir, { recursive: true, force: true });
      }
    }
    assert.deepEqual(built[0], built[1]);
  });
});

describe("indexing leaves the thread to other work", () => {
  test("timers keep firing while a workspace is indexed, with or without the worker", async () => {
    for (const analysisWorker of [false, true]) {
      const cacheDir = await mkdtemp(join(tmpdir(), "coop-index-yields-"));
      const gaps: number[] = [];
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }, 2);
      try {
        const retriever = await Retriever.open({ root: zodSources, cacheDir, analysisWorker });
        const started = performance.now();
        last = started;
        await retriever.index();
        const took = performance.now() - started;
        await retriever.dispose();
        // Without yielding, one gap would span the whole index.
        assert.ok(gaps.length > 10, `analysisWorker ${analysisWorker}: ${gaps.length} ticks in ${took} ms`);
        assert.ok(
          Math.max(...gaps) < took / 4,
          `analysisWorker ${analysisWorker}: longest gap ${Math.max(...gaps)} ms of ${took} ms`,
        );
      } finally {
        clearInterval(timer);
        await rm(cacheDir, { recursive: true, force: true });
      }
    }
  });
});
