import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import {
  CancelledBySwapError,
  SupersededRequestError,
  type CompletionRequest,
  type ContextChunk,
} from "../../engine/completion/index.js";
import {
  createDraftCompressor,
  fitContext,
  tokenSurprisals,
  type ContextCompressor,
} from "../../engine/compression/index.js";
import { groundCompletion, type GroundedContext } from "../../engine/cooperators/index.js";
import { isCancellation } from "../../engine/errors/index.js";
import { Retriever, approximateTokenCount } from "../../engine/retriever/index.js";
import { tokenLogLikelihoods } from "../../engine/runtime/index.js";
import { fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";
import { shopWorkspace } from "../support/shopWorkspace.js";

const teardown = new Teardown();
let draft: LlamaModel;
let compressor: ContextCompressor;
let retriever: Retriever;

/** The cursor: inside checkout.ts, computing an invoice's total. */
const checkout = shopWorkspace["src/checkout.ts"]!;
const cursorOffset = checkout.indexOf("  const total = ") + "  const total = ".length;
const request: CompletionRequest = {
  document: "file:///shop/src/checkout.ts",
  path: "src/checkout.ts",
  prefix: checkout.slice(0, cursorOffset),
  suffix: checkout.slice(cursorOffset),
};
const cursorLine = request.prefix.split("\n").length - 1;

before(async () => {
  const set = await fixtures();
  const runtime = await testRuntime();
  teardown.add(disposeTestRuntime);
  draft = (await runtime.loadModel(set.draft)).model;
  teardown.add(() => draft.dispose());
  compressor = await createDraftCompressor(runtime, draft, { contextSize: 1024 });
  teardown.add(() => compressor.dispose());
  const root = await mkdtemp(join(tmpdir(), "coop-compression-ws-"));
  teardown.add(() => rm(root, { recursive: true, force: true }));
  const cacheDir = await mkdtemp(join(tmpdir(), "coop-compression-cache-"));
  teardown.add(() => rm(cacheDir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(shopWorkspace)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  retriever = await Retriever.open({ root, cacheDir });
  teardown.add(() => retriever.dispose());
  await retriever.index();
});

after(() => teardown.run());

/** Lines of the context that start a top-level definition of the workspace. */
function signaturesHeld(chunks: readonly ContextChunk[]): number {
  const lines = chunks.flatMap((chunk) => chunk.text.split("\n"));
  return lines.filter((line) => /^export (function|interface|const) /.test(line)).length;
}

/** Each kept chunk's lines are lines of its file, in their order. */
function assertLinesOfWorkspace(kept: readonly ContextChunk[]): void {
  for (const chunk of kept) {
    const original = shopWorkspace[chunk.path]!.split("\n");
    let from = 0;
    for (const line of chunk.text.split("\n")) {
      from = original.indexOf(line, from);
      assert.ok(from !== -1, `${JSON.stringify(line)} is not a line of ${chunk.path}, in order`);
      from++;
    }
  }
}

describe("grounding with input compression", () => {
  test("a context over budget is compressed within the budget and keeps more than dropping", async () => {
    const budgetTokens = 160;
    const dropped = await groundCompletion(retriever, request, cursorLine, { budgetTokens });
    const compressed = await groundCompletion(retriever, request, cursorLine, { budgetTokens, compressor });

    const { report } = compressed;
    assert.ok(report.retrievedTokens > budgetTokens, `retrieved ${report.retrievedTokens} tokens`);
    assert.equal(report.compressed, true);
    assert.ok(report.droppedLines > 0);
    assert.ok(report.keptTokens <= budgetTokens, `${report.keptTokens} tokens for ${budgetTokens}`);
    const measured = compressed.chunks.reduce((sum, chunk) => sum + approximateTokenCount(chunk.text), 0);
    assert.equal(report.keptTokens, measured);
    assert.equal(report.keptChunks, compressed.chunks.length);
    assert.equal(report.retrievedChunks - report.droppedChunks, report.keptChunks);
    assertLinesOfWorkspace(compressed.chunks);

    // More of what was retrieved is represented: more chunks, and more definitions the model can see
    // the signature of (their names, parameters and types). Bodies are what compression takes out.
    assert.ok(dropped.report.keptTokens <= budgetTokens);
    const kept = (grounded: GroundedContext): string =>
      `${grounded.chunks.length} chunks, ${signaturesHeld(grounded.chunks)} signatures`;
    const both = `compressed: ${kept(compressed)}; dropped: ${kept(dropped)}`;
    assert.ok(compressed.chunks.length > dropped.chunks.length, both);
    assert.ok(signaturesHeld(compressed.chunks) > signaturesHeld(dropped.chunks), both);
  });

  test("definitions of names at the cursor stay whole, and signatures outlast bodies", async () => {
    const { chunks } = await groundCompletion(retriever, request, cursorLine, {
      budgetTokens: 80,
      compressor,
    });
    // The line before the cursor names Discount: its definition is kept line for line.
    const discounts = shopWorkspace["src/discounts.ts"]!.split("\n");
    const definition = discounts.slice(3, 7);
    assert.match(definition[0]!, /^export interface Discount \{$/);
    const held = chunks.flatMap((chunk) => chunk.text.split("\n"));
    for (const line of definition) assert.ok(held.includes(line), `${JSON.stringify(line)} was dropped`);
    // The callee at the cursor (`const total = computeInvoiceTotal(…)`) is among what is kept.
    assert.ok(held.some((line) => line.startsWith("export function computeInvoiceTotal(")));
    // A function's body is never kept without its signature.
    for (const chunk of chunks) {
      const lines = chunk.text.split("\n");
      const source = shopWorkspace[chunk.path]!.split("\n");
      for (const line of lines.filter((text) => text.startsWith("  "))) {
        const signature = enclosingSignature(source, source.indexOf(line));
        if (signature !== undefined)
          assert.ok(lines.includes(signature), `${JSON.stringify(line)} was kept without ${signature}`);
      }
    }
  });

  test("a context within the budget is left as it is, with or without a compressor", async () => {
    const plain = await groundCompletion(retriever, request, cursorLine, { budgetTokens: 5000 });
    const withCompressor: GroundedContext = await groundCompletion(retriever, request, cursorLine, {
      budgetTokens: 5000,
      compressor,
      overfetch: 1,
    });
    assert.deepEqual(withCompressor.chunks, plain.chunks);
    assert.equal(withCompressor.report.compressed, false);
    assert.equal(withCompressor.report.droppedLines, 0);
    assert.equal(withCompressor.report.droppedChunks, 0);

    const fitted = await compressor.fit(plain.chunks, {
      budgetTokens: 5000,
      countTokens: approximateTokenCount,
    });
    assert.deepEqual(fitted.chunks, plain.chunks);
    assert.equal(fitted.droppedLines + fitted.droppedChunks, 0);
  });

  test("without a compressor it asks the retriever what contextFor always did", async () => {
    const before = request.prefix.split("\n").slice(-20);
    const after = request.suffix.split("\n").slice(0, 5);
    const expected = await retriever.query([...before, ...after].join("\n"), {
      k: 6,
      budgetTokens: 160,
      from: {
        path: request.path,
        startLine: cursorLine - 19,
        endLine: cursorLine + 4,
        cursor: { before: request.prefix, after: request.suffix },
      },
    });
    const { chunks, report } = await groundCompletion(retriever, request, cursorLine, { budgetTokens: 160 });
    assert.deepEqual(
      chunks,
      expected.map((chunk) => ({ path: chunk.path, text: chunk.text })),
    );
    assert.equal(report.compressionMs, 0);
  });

  test("the fast surprisals equal the full probabilities' log-likelihoods", async () => {
    const runtime = await testRuntime();
    const context: LlamaContext = await runtime.createContext(draft, { contextSize: 1024 });
    try {
      const sequence = context.getSequence();
      const tokens = draft.tokenize(Object.values(shopWorkspace).join("\n"), false).slice(0, 300);
      const slow = await tokenLogLikelihoods(sequence, tokens);
      const fast = await tokenSurprisals(sequence, tokens);
      assert.equal(fast.length, slow.length);
      for (const [index, value] of fast.entries())
        assert.ok(Math.abs(value + slow[index]!) < 1e-4, `token ${index}: ${value} vs ${-slow[index]!}`);
    } finally {
      await context.dispose();
    }
  });
});

// Not scored before (the compressor caches scores by text): four files, about 800 of the draft's tokens.
let calls = 0;
const chunks = (): ContextChunk[] =>
  Object.entries(shopWorkspace)
    .slice(0, 4)
    .map(([path, text]) => ({ path, text: `${text}\n// call ${++calls}` }));

describe("fitting context", () => {
  test("drops the last chunks only when the lines that must stay exceed the budget", async () => {
    const definition = (name: string): string =>
      [`export function ${name}(a: number, b: number): number {`, "  return a * b + a - b;", "}"].join("\n");
    const chunks = [
      { path: "src/a.ts", text: `${definition("first")}\n// helper\nconst unused = 1;` },
      { path: "src/b.ts", text: "// nothing here is needed\nconst other = 2;\nconst more = 3;" },
      { path: "src/c.ts", text: definition("second") },
    ];
    const request = { budgetTokens: 30, countTokens: approximateTokenCount };
    const byLength = (lines: string[]): Promise<number[]> => Promise.resolve(lines.map((l) => l.length));
    const protectedNames = new Set(["first", "second"]);

    const fitted = await fitContext(chunks, { ...request, protectedNames }, byLength);
    assert.ok(fitted.tokens <= request.budgetTokens);
    // Both definitions cannot stay: the last chunk goes, the first keeps its definition whole.
    assert.deepEqual(
      fitted.chunks.map((chunk) => chunk.path),
      ["src/a.ts", "src/b.ts"],
    );
    assert.ok(fitted.chunks[0]!.text.startsWith(definition("first")));
    assert.equal(fitted.droppedChunks, 1);

    // Without names to keep, compression alone reaches the budget: no chunk goes, signatures stay.
    const compressed = await fitContext(chunks, { ...request, budgetTokens: 40 }, byLength);
    assert.ok(compressed.tokens <= 40);
    assert.equal(compressed.droppedChunks, 0);
    for (const name of ["first", "second"])
      assert.ok(compressed.chunks.some((chunk) => chunk.text.includes(`export function ${name}(`)));
  });
});

describe("the draft compressor: not waiting, aborting, disposing", () => {
  const fitRequest = { budgetTokens: 100, countTokens: approximateTokenCount };

  test("an aborted signal rejects with the request's typed cancellation", async () => {
    const controller = new AbortController();
    controller.abort(new SupersededRequestError());
    await assert.rejects(
      groundCompletion(retriever, request, cursorLine, {
        budgetTokens: 160,
        compressor,
        signal: controller.signal,
      }),
      SupersededRequestError,
    );
    const plain = new AbortController();
    plain.abort();
    await assert.rejects(compressor.fit(chunks(), { ...fitRequest, signal: plain.signal }), (error) =>
      isCancellation(error),
    );
  });

  test("a fit that does not wait drops whole chunks, and compresses once they are read", async () => {
    const fresh = chunks();
    const request = { budgetTokens: 250, countTokens: approximateTokenCount, waitForScores: false };
    const first = await compressor.fit(fresh, request);
    assert.equal(first.compressed, false);
    assert.equal(first.unscoredChunks, fresh.length);
    assert.ok(first.chunks.length > 0 && first.tokens <= request.budgetTokens);
    for (const chunk of first.chunks) assert.ok(fresh.some((given) => given.text === chunk.text));

    let next = first;
    for (const deadline = Date.now() + 60_000; !next.compressed && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      next = await compressor.fit(fresh, request);
    }
    assert.equal(next.compressed, true);
    assert.equal(next.unscoredChunks, 0);
    assert.ok(next.tokens <= request.budgetTokens && next.chunks.length > first.chunks.length);
  });

  test("an abort while scoring stops it, and the compressor still works after", async () => {
    const given = chunks();
    const controller = new AbortController();
    const fit = compressor.fit(given, { ...fitRequest, signal: controller.signal });
    // Queued behind it: runs once the aborted one has let go of the sequence.
    const next = compressor.fit(chunks(), fitRequest);
    const timer = setTimeout(() => controller.abort(new SupersededRequestError()), 5);
    // Both settle before anything is asserted: a failed assertion must not leave `next` running past the
    // test, to be rejected by the compressor's disposal with no one to handle it.
    await Promise.allSettled([fit, next]);
    clearTimeout(timer);
    await assert.rejects(fit, SupersededRequestError);
    // Scoring stopped: at most the chunk being read when the abort came was scored (and cached).
    const probe = await compressor.fit(given, { ...fitRequest, waitForScores: false });
    assert.ok(probe.unscoredChunks >= given.length - 1, `${probe.unscoredChunks} chunks left unscored`);
    const fitted = await next;
    assert.ok(fitted.tokens <= fitRequest.budgetTokens && fitted.chunks.length > 0);
  });

  test("disposing while it scores in the background leaves no rejection unhandled", async () => {
    const runtime = await testRuntime();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      // Disposed as soon as the scoring is queued, and while it evaluates a chunk.
      for (const delayMs of [0, 30]) {
        const own = await createDraftCompressor(runtime, draft, { contextSize: 512 });
        try {
          const given = chunks();
          const request = { ...fitRequest, waitForScores: false };
          const fitted = await own.fit(given, request);
          assert.equal(fitted.unscoredChunks, given.length);
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          await own.dispose();
          await assert.rejects(own.fit(given, request), CancelledBySwapError);
        } finally {
          await own.dispose();
        }
      }
      // A rejection no one handles is reported once the microtasks run out: let a few turns pass.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("disposing the compressor cancels what runs with CancelledBySwapError", async () => {
    const runtime = await testRuntime();
    const own = await createDraftCompressor(runtime, draft, { contextSize: 512 });
    // Both awaited together: neither is left unhandled if the other rejects.
    await Promise.all([assert.rejects(own.fit(chunks(), fitRequest), CancelledBySwapError), own.dispose()]);
    await assert.rejects(own.fit(chunks(), fitRequest), CancelledBySwapError);
  });
});

/** The `export function` line whose body holds line `at` of a source (no closing `}` between). */
function enclosingSignature(source: readonly string[], at: number): string | undefined {
  for (let line = at - 1; line >= 0; line--) {
    if (source[line]!.startsWith("}")) return undefined;
    if (/^export (async )?function /.test(source[line]!)) return source[line];
  }
  return undefined;
}
