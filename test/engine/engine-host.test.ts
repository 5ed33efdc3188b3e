import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CompletionRequest } from "../../engine/completion/index.js";
import { gguf } from "../../engine/gguf/index.js";
import {
  EngineCrashedError,
  EngineGaveUpError,
  CooperativeEngine,
  parseHostMessage,
  type VariantSpec,
} from "../../engine/host/index.js";
import { testEngineHost } from "../support/engineHost.js";
import { fixtures, type Fixtures } from "../support/fixtures.js";
import { copyGgufWithEdits } from "../support/ggufEdit.js";
import { repoRoot } from "../support/repoRoot.js";
import { coopCacheDir } from "../support/cacheDir.js";
import { serveFiles } from "../support/fileServer.js";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

let set: Fixtures;
let dir: string;
let variant: VariantSpec;
let aborting: string;

const request: CompletionRequest = {
  document: "file:///demo.js",
  path: "demo.js",
  prefix: "export async function loadModel(options) {\n  const ",
  suffix: "\n}\n",
  multiline: true,
  maxTokens: 24,
};
const longRequest: CompletionRequest = { ...request, document: "file:///long.js", maxTokens: 1500 };

before(async () => {
  set = await fixtures();
  dir = await mkdtemp(join(tmpdir(), "coop-host-"));
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  // llama.cpp aborts the process on this one (GGML_ASSERT n_expert_used <= n_expert); our validation lets it
  // through.
  aborting = join(dir, "aborts-llama.gguf");
  await copyGgufWithEdits(set.draft, aborting, { setMetadata: { "llama.expert_used_count": gguf.u32(2) } });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the engine host process", () => {
  test("answers exactly as the in-process engine does, through the same API", async () => {
    const host = testEngineHost();
    const local = new CooperativeEngine();
    try {
      const state = await host.loadVariant(variant);
      assert.equal(state.speculative, true);
      await local.loadVariant(variant);
      const remote = await host.complete(request);
      const inProcess = await local.complete(request);
      assert.equal(remote.raw, inProcess.raw);
      assert.equal(remote.text, inProcess.text);
      assert.ok(host.pid !== undefined && host.pid !== process.pid, "the model runs in another process");
    } finally {
      await local.dispose();
      await host.dispose();
    }
  });

  test("streams a completion as chunks and reports loading progress", async () => {
    const host = testEngineHost();
    try {
      const progress: { phase: string; fraction?: number }[] = [];
      await host.loadVariant(variant, undefined, (event) => progress.push(event));
      assert.ok(
        progress.some((event) => event.phase === "load"),
        "model loading reports progress",
      );
      assert.ok(
        progress.some((event) => event.fraction !== undefined && event.fraction >= 0.99),
        "and reaches the end",
      );
      const chunks: string[] = [];
      const result = await host.complete({ ...request, document: "file:///stream.js" }, undefined, (chunk) =>
        chunks.push(chunk),
      );
      assert.ok(chunks.length > 1, "more than one chunk");
      assert.equal(chunks.join(""), result.raw, "the chunks add up to the answer");
    } finally {
      await host.dispose();
    }
  });

  test("grounds completions in an open workspace and applies the detector's repair policy", async () => {
    const host = testEngineHost();
    const root = join(dir, "shop");
    try {
      await mkdir(join(root, "src"), { recursive: true });
      await writeFile(join(root, "package.json"), JSON.stringify({ name: "shop", version: "1.0.0" }));
      await writeFile(
        join(root, "src", "invoice.ts"),
        "export function computeInvoiceTotal(items: { price: number }[]): number {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n\nexport function formatPrice(value: number): string {\n  return value.toFixed(2);\n}\n",
      );
      await host.loadVariant(variant);
      const opened = await host.openWorkspace({ root, cacheDir: join(dir, "index-cache") });
      assert.equal(opened.files, 2);
      const answer = await host.complete({
        document: "file:///shop/src/report.ts",
        path: "src/report.ts",
        prefix:
          'import { computeInvoiceTotal, formatPrice } from "./invoice";\n\nexport function report(items: { price: number }[]): string {\n  return ',
        suffix: ";\n}\n",
        multiline: false,
        cursorLine: 3,
        grammar: 'root ::= "formatPrise(computeInvoiceTotals(items))"',
        check: { language: "typescript", policy: "repair" },
      });
      assert.ok(answer.contextChunks > 0, "the workspace grounded the prompt");
      assert.equal(answer.text, "formatPrice(computeInvoiceTotal(items))");
      assert.equal(answer.check?.repaired, true);
      assert.deepEqual(answer.check.findings.map((finding) => finding.name).sort(), [
        "computeInvoiceTotals",
        "formatPrise",
      ]);
    } finally {
      await host.dispose();
    }
  });

  test("downloads a variant's hf: models with progress, then loads and runs it", async () => {
    const host = testEngineHost();
    const server = await serveFiles({ "/coop/tiny/resolve/main/draft.gguf": set.draft });
    try {
      const bytes = await readFile(set.draft);
      const userCatalog = join(dir, "user-models.json");
      await writeFile(
        userCatalog,
        JSON.stringify({
          version: 1,
          models: [
            {
              id: "downloaded-draft",
              uri: "hf:coop/tiny/draft.gguf",
              role: "target",
              family: "coop-tiny",
              sha256: createHash("sha256").update(bytes).digest("hex"),
              size: bytes.length,
              contextLength: 4096,
            },
          ],
          variants: [
            {
              id: "downloaded",
              label: "Downloaded tiny",
              description: "The fixture draft, from a model host.",
              target: "downloaded-draft",
            },
          ],
        }),
      );
      const catalogFiles = [join(repoRoot, "models.json"), userCatalog];
      const modelsDir = join(dir, "models");
      await assert.rejects(
        host.loadCatalogVariant({
          variantId: "downloaded",
          catalogFiles,
          cacheDir: coopCacheDir(),
          modelsDir,
          gpu: "cpu",
        }),
        /not downloaded yet/,
      );
      const progress: number[] = [];
      const result = await host.downloadVariant(
        {
          variantId: "downloaded",
          catalogFiles,
          cacheDir: coopCacheDir(),
          modelsDir,
          huggingFaceEndpoint: server.url,
        },
        undefined,
        (event) =>
          event.phase === "download" && event.fraction !== undefined && progress.push(event.fraction),
      );
      assert.deepEqual(result.downloaded, ["downloaded-draft"]);
      assert.ok(progress.length > 0 && progress.at(-1)! > 0.99, "progress reaches the end");
      await host.loadCatalogVariant({
        variantId: "downloaded",
        catalogFiles,
        cacheDir: coopCacheDir(),
        modelsDir,
        gpu: "cpu",
      });
      assert.equal((await host.complete(request)).source, "generated");
    } finally {
      await server.close();
      await host.dispose();
    }
  });

  test("loads a catalog variant by id, resolving and building the embedded models inside the engine process", async () => {
    const host = testEngineHost();
    try {
      const state = await host.loadCatalogVariant({
        variantId: "coop-tiny",
        catalogFiles: [join(repoRoot, "models.json")],
        cacheDir: coopCacheDir(),
        gpu: "cpu",
      });
      assert.equal(state.id, "coop-tiny");
      assert.equal(state.speculative, true, "coop-tiny has a draft");
      const answer = await host.complete(request);
      assert.equal(answer.source, "generated");
      await assert.rejects(
        host.loadCatalogVariant({
          variantId: "no-such-variant",
          catalogFiles: [join(repoRoot, "models.json")],
          cacheDir: coopCacheDir(),
          gpu: "cpu",
        }),
        /no variant 'no-such-variant' in the catalog; known variants: .*coop-tiny/,
      );
      // The variant that load replaced answers nothing more, routed requests included.
      await assert.rejects(
        host.complete({ ...request, document: "file:///after-failed-load.ts" }),
        /No model variant is loaded/,
      );
      await assert.rejects(
        host.complete({
          ...request,
          document: "file:///after-failed-load.ts",
          ensemble: { preference: "speed" },
        }),
        /No model variant is loaded/,
      );
    } finally {
      await host.dispose();
    }
  });

  test("kill -9 mid-generation: the request fails with the reason, the next one succeeds with the variant restored", async () => {
    const states: string[] = [];
    const host = testEngineHost({ onStateChange: (state) => states.push(state) });
    try {
      await host.loadVariant(variant);
      const inFlight = host.complete(longRequest);
      await new Promise((resolve) => setTimeout(resolve, 400));
      process.kill(host.pid!, "SIGKILL");
      await assert.rejects(inFlight, (error: unknown) => {
        assert.ok(error instanceof EngineCrashedError, String(error));
        assert.match(error.message, /killed by SIGKILL/);
        return true;
      });
      assert.ok(states.includes("crashed"));
      const after = await host.complete(request);
      assert.equal(after.source, "generated", "the restarted engine has the variant loaded again");
      assert.equal(host.state, "running");
    } finally {
      await host.dispose();
    }
  });

  test("a model that makes llama.cpp abort ends only the engine process, with llama.cpp's reason", async () => {
    const host = testEngineHost();
    try {
      await assert.rejects(
        host.loadVariant({ ...variant, id: "broken", target: aborting, draft: undefined }),
        (error: unknown) => {
          assert.ok(error instanceof EngineCrashedError, String(error));
          assert.match(error.message, /SIGABRT|GGML_ASSERT/);
          assert.match(error.message, /n_expert/);
          return true;
        },
      );
      // This process (the editor's side) is alive, and the engine recovers with a good variant.
      const state = await host.loadVariant(variant);
      assert.equal(state.id, "coop-tiny");
      assert.equal((await host.complete(request)).source, "generated");
    } finally {
      await host.dispose();
    }
  });

  test("after repeated crashes with one variant it stops restarting and names the files", async () => {
    const host = testEngineHost({ maxCrashes: 2 });
    try {
      const broken = { ...variant, id: "broken", target: aborting, draft: undefined };
      await assert.rejects(host.loadVariant(broken), EngineCrashedError);
      await assert.rejects(
        host.stats(),
        (error: unknown) => error instanceof EngineCrashedError || error instanceof EngineGaveUpError,
      );
      await assert.rejects(host.stats(), (error: unknown) => {
        assert.ok(error instanceof EngineGaveUpError, String(error));
        assert.match(error.message, /variant broken \(aborts-llama\.gguf\)/);
        assert.match(error.message, /coop\.gpu/);
        return true;
      });
      assert.equal(host.state, "gave-up");
    } finally {
      await host.dispose();
    }
  });

  test("1,000 requests each cancelled by the next leave no sequence in use and memory flat", async () => {
    const host = testEngineHost();
    try {
      await host.loadVariant(variant);
      await host.complete(request);
      const before = await host.memory();
      const outcomes: Promise<unknown>[] = [];
      let last: Promise<unknown> | undefined;
      for (let index = 0; index < 1000; index++) {
        const controller = new AbortController();
        last = host.complete({ ...request, prefix: `${request.prefix}v${index}` }, controller.signal);
        outcomes.push(last.catch((error: unknown) => error));
        if (index < 999) setImmediate(() => controller.abort());
      }
      await Promise.all(outcomes);
      assert.equal(((await last) as { source: string }).source, "generated");
      const stats = await host.stats();
      assert.equal(stats.sequencesInUse, 0);
      const afterwards = await host.memory();
      const growth = afterwards.rssBytes - before.rssBytes;
      assert.ok(growth < 64 * 1024 * 1024, `engine RSS grew by ${(growth / 1048576).toFixed(1)} MiB`);
    } finally {
      await host.dispose();
    }
  });

  test("a truncated download is refused by validation inside the engine, never loaded", async () => {
    const host = testEngineHost();
    const truncated = join(dir, "truncated.gguf");
    try {
      await copyFile(set.target, truncated);
      await truncate(truncated, Math.floor((await stat(truncated)).size * 0.7));
      await assert.rejects(host.loadVariant({ ...variant, target: truncated }), (error: unknown) => {
        assert.equal((error as Error).name, "ModelFileError");
        assert.match((error as Error).message, /truncated\.gguf cannot be loaded/);
        return true;
      });
      assert.equal(host.state, "running", "a refused file does not crash the engine");
    } finally {
      await host.dispose();
    }
  });

  test("malformed RPC messages are rejected and logged, and the engine keeps serving", async () => {
    const child = fork(join(repoRoot, "engine/host/server/hostMain.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    const messages: ReturnType<typeof parseHostMessage>[] = [];
    child.on("message", (raw) => messages.push(parseHostMessage(raw)));
    try {
      await waitFor(() => messages.some((message) => message?.kind === "ready"));
      for (const junk of [
        "hello",
        42,
        null,
        { kind: "request", id: -1, method: "stats", params: {} },
        { kind: "request", id: 1, method: "rm -rf", params: {} },
        { kind: "cancel" },
      ]) {
        child.send(junk as never);
      }
      child.send({ kind: "request", id: 7, method: "stats", params: {} });
      await waitFor(() => messages.some((message) => message?.kind === "result" && message.id === 7));
      const rejected = messages.filter(
        (message) => message?.kind === "log" && /rejected a malformed message/.test(message.message),
      );
      assert.equal(rejected.length, 6);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting for the engine host");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
