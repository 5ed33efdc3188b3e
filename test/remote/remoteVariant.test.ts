// A catalog variant on a real llama-server (built from node-llama-cpp's llama.cpp source, serving the
// fixture models) through the engine: completions and chat are generated on the server while the
// retriever and the detector run here, variants on one server swap by their adapters alone, and the
// API key reaches the engine host in memory only, never a log line.
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LlamaServerBackend, type FimRequest } from "../../engine/backends/index.js";
import { ChatRequestError } from "../../engine/chat/index.js";
import { detect, isCertain, workspaceFromFiles } from "../../engine/detector/index.js";
import {
  CooperativeEngine,
  type EngineRequestError,
  parseHostMessage,
  RemoteApiKeyStore,
  type ChatEvent,
  type EngineCompletionRequest,
} from "../../engine/host/index.js";
import { coopCacheDir } from "../support/cacheDir.js";
import { testEngineHost } from "../support/engineHost.js";
import { fixtures, type Fixtures } from "../support/fixtures.js";
import { llamaServerBinary, startLlamaServer, type RunningLlamaServer } from "../support/llamaServer.js";
import { repoRoot } from "../support/repoRoot.js";
import { Teardown } from "../support/teardown.js";

const binary = llamaServerBinary();
// .ci/run builds llama-server first: in CI a missing binary is a broken build, not a reason to skip.
if (!binary.built && process.env.CI === "true")
  throw new Error(`CI must run the remote tests against a real llama-server: ${binary.reason}`);
if (!binary.built) console.warn(`SKIPPED the remote variant tests: ${binary.reason}`);
const skip = binary.built ? false : binary.reason;

const workspaceFiles: Record<string, string> = {
  "calc.py": "def multiply(a, b):\n    return a * b\n\n\ndef divide(a, b):\n    return a / b\n",
  "shop.py":
    "from calc import multiply\n\n\ndef line_total(price, quantity):\n    return multiply(price, quantity)\n",
};

const request: EngineCompletionRequest = {
  document: "file:///shop/report.py",
  path: "report.py",
  prefix: "from calc import multiply\n\n\ndef order_total(lines):\n    return ",
  suffix: "\n",
  multiline: true,
  maxTokens: 16,
};

/** The same request straight to the server, as the engine should send it. */
function direct(adapters: FimRequest["adapters"]): FimRequest {
  return {
    prefix: request.prefix,
    suffix: request.suffix,
    chunks: [],
    maxTokens: request.maxTokens!,
    adapters,
  };
}

function remoteVariant(
  id: string,
  url: string,
  adapters: { name: string; scale?: number }[] = [],
): Record<string, unknown> {
  return {
    id,
    label: id,
    description: `tiny target on llama-server (${id})`,
    target: "tiny-target",
    remote: { kind: "llama-server", url, adapters },
  };
}

describe("remote variants through the engine (real llama-server, fixture models)", { skip }, () => {
  let models: Fixtures;
  let server: RunningLlamaServer;
  let dir: string;
  let workspace: string;
  let catalogFiles: string[];
  let engine: CooperativeEngine;
  let serverDirect: LlamaServerBackend;
  const teardown = new Teardown();

  before(async () => {
    models = await fixtures();
    server = await startLlamaServer(binary.path, [
      "-m",
      models.target,
      "--lora",
      `${models.adapters.python},${models.adapters.cpp}`,
      "-c",
      "4096",
      "-b",
      "1024",
      "-np",
      "1",
    ]);
    teardown.add(() => server.stop());
    dir = await mkdtemp(join(tmpdir(), "coop-remote-variant-"));
    teardown.add(() => rm(dir, { recursive: true, force: true }));
    workspace = join(dir, "shop");
    await mkdir(workspace);
    for (const [path, text] of Object.entries(workspaceFiles)) await writeFile(join(workspace, path), text);
    const catalog = {
      version: 1,
      variants: [
        remoteVariant("srv-python", server.url, [{ name: "lora-python" }]),
        remoteVariant("srv-cpp", `${server.url}/`, [{ name: "lora-cpp", scale: 1 }]),
        remoteVariant("srv-base", server.url),
        remoteVariant("srv-rust", server.url, [{ name: "lora-rust" }]),
      ],
    };
    await writeFile(join(dir, "team.json"), JSON.stringify(catalog));
    catalogFiles = [join(repoRoot, "models.json"), join(dir, "team.json")];
    engine = new CooperativeEngine();
    teardown.add(() => engine.dispose());
    serverDirect = new LlamaServerBackend({ baseUrl: server.url });
    teardown.add(() => serverDirect.dispose());
  });

  after(() => teardown.run());

  test("a remote variant completes on the server with its adapter; swapping to another on the same server changes only the adapter", async () => {
    const python = await engine.loadCatalogVariant({ variantId: "srv-python", catalogFiles, gpu: "cpu" });
    assert.ok(engine.remoteBackend, "the variant runs on the server");
    assert.match(
      python.notices.join("\n"),
      new RegExp(
        `srv-python runs on llama-server at ${server.url.replaceAll(".", "\\.")}, adapters lora-python at 1`,
      ),
    );
    assert.equal(python.speculative, false, "this server has no draft");
    const connection = engine.remoteBackend;

    const byPython = await engine.complete(request);
    assert.equal(byPython.source, "generated");
    assert.equal(
      byPython.raw,
      (await serverDirect.complete(direct([{ name: "lora-python", scale: 1 }]))).text,
      "the server's answer with the Python adapter",
    );
    assert.ok(byPython.stats && byPython.stats.generatedTokens > 0);

    const cpp = await engine.loadCatalogVariant({ variantId: "srv-cpp", catalogFiles, gpu: "cpu" });
    assert.match(
      cpp.notices.join("\n"),
      /same server as before: only the adapters changed, nothing was reloaded/,
    );
    assert.equal(engine.remoteBackend, connection, "the same connection serves the new variant");
    const byCpp = await engine.complete(request);
    assert.equal(byCpp.source, "generated", "another variant, not the Python variant's cached answer");
    assert.equal(byCpp.raw, (await serverDirect.complete(direct([{ name: "lora-cpp", scale: 1 }]))).text);
    assert.notEqual(byCpp.raw, byPython.raw);

    await engine.loadCatalogVariant({ variantId: "srv-base", catalogFiles, gpu: "cpu" });
    const byBase = await engine.complete(request);
    assert.equal(
      byBase.raw,
      (await serverDirect.complete(direct([]))).text,
      "a variant without adapters gets none, whatever the server's global scales",
    );

    await engine.loadCatalogVariant({ variantId: "srv-python", catalogFiles, gpu: "cpu" });
    const again = await engine.complete(request);
    assert.equal(again.source, "cache", "back on the Python variant, its answer is still cached");
    assert.equal(again.text, byPython.text);

    const stats = await engine.stats();
    assert.ok(stats.completions >= 3, `${stats.completions} completions`);
    assert.equal(stats.sequencesInUse, 0);

    await assert.rejects(
      engine.loadCatalogVariant({ variantId: "srv-rust", catalogFiles, gpu: "cpu" }),
      /no LoRA adapter "lora-rust" \(it loaded lora-python \(id 0\), lora-cpp \(id 1\)\)/,
    );
    // The swap failed after the Python variant was let go: none answers under the new one's name.
    assert.deepEqual(
      { phase: engine.variantStatus.phase, id: engine.variantStatus.id },
      { phase: "failed", id: "srv-rust" },
    );
    await assert.rejects(engine.complete(request), { code: "no-variant-loaded" });
  });

  test("streamed pieces join to the raw text; aborting cancels the generation on the server", async () => {
    await engine.loadCatalogVariant({ variantId: "srv-base", catalogFiles, gpu: "cpu" });
    const pieces: string[] = [];
    const streamed = await engine.complete(
      { ...request, document: "file:///shop/streamed.py", bypassCache: true },
      undefined,
      (piece) => pieces.push(piece),
    );
    assert.ok(pieces.length > 1);
    assert.equal(pieces.join(""), streamed.raw);

    const controller = new AbortController();
    let count = 0;
    await assert.rejects(
      engine.complete(
        { ...request, document: "file:///shop/long.py", maxTokens: 1500, bypassCache: true },
        controller.signal,
        () => {
          if (++count === 3) controller.abort();
        },
      ),
      (error: unknown) => error instanceof Error && error.name === "AbortError",
    );
    assert.ok(count < 200, `${count} pieces before the abort took effect`);
    assert.equal((await engine.stats()).sequencesInUse, 0);
  });

  test("single-line requests stop at the end of the line on the server", async () => {
    await engine.loadCatalogVariant({ variantId: "srv-base", catalogFiles, gpu: "cpu" });
    const line = await engine.complete({
      ...request,
      document: "file:///shop/line.py",
      multiline: false,
      maxTokens: 64,
      bypassCache: true,
    });
    assert.equal(line.multiline, false);
    assert.ok(!line.raw.includes("\n"), JSON.stringify(line.raw));
    assert.ok(line.stats!.generatedTokens < 64, "the server stopped at the newline, not the token limit");
  });

  test("the retriever grounds the server's prompt and the detector checks its answer, both here", async () => {
    await engine.loadCatalogVariant({ variantId: "srv-base", catalogFiles, gpu: "cpu" });
    assert.deepEqual(await engine.openWorkspace({ root: workspace, cacheDir: join(dir, "cache") }), {
      files: 2,
    });
    const grounded = await engine.complete({
      ...request,
      document: "file:///shop/grounded.py",
      cursorLine: 4,
      bypassCache: true,
      check: { language: "python", policy: "annotate" },
    });
    assert.ok(grounded.contextChunks > 0, "workspace chunks went into the prompt");
    const ungrounded = await serverDirect.complete(direct([]));
    assert.notEqual(
      grounded.stats!.promptTokens,
      ungrounded.stats.promptTokens,
      "the chunks reached the server (input_extra)",
    );
    assert.ok(grounded.text !== "" && grounded.check, "a checked suggestion");
    const files = Object.entries(workspaceFiles).map(([path, text]) => ({ path, text }));
    const expected = await detect(grounded.text, {
      language: "python",
      workspace: await workspaceFromFiles(files, { root: workspace }),
      prefixContext: request.prefix,
      suffixContext: request.suffix,
      path: request.path,
    });
    // The tiny model writes names this workspace does not define: the same findings as the detector run here.
    assert.ok(expected.length > 0);
    assert.deepEqual(
      grounded.check.findings.map((finding) => finding.name),
      expected.map((finding) => finding.name),
    );
    assert.equal(grounded.check.action, "annotate");
    const suppressed = await engine.complete({
      ...request,
      document: "file:///shop/grounded.py",
      cursorLine: 4,
      check: { language: "python", policy: "suppress" },
    });
    assert.equal(suppressed.source, "cache");
    assert.equal(suppressed.check?.action, expected.some(isCertain) ? "hide" : "annotate");
    // "repair" needs a grammar the server is not given: it hides as "suppress" does.
    const repairing = await engine.complete({
      ...request,
      document: "file:///shop/grounded.py",
      cursorLine: 4,
      check: { language: "python", policy: "repair" },
    });
    assert.deepEqual(repairing.check, suppressed.check);

    const events: ChatEvent[] = [];
    const answer = await engine.chat(
      { messages: [{ role: "user", content: "What does multiply in calc.py return?" }], maxTokens: 24 },
      undefined,
      (event) => events.push(event),
    );
    assert.equal(events[0]?.type, "sources", "sources first");
    const sources = events[0].sources;
    assert.ok(
      sources.some((source) => source.path === "calc.py"),
      JSON.stringify(sources),
    );
    assert.deepEqual(answer.sources, sources);
    const text = events.flatMap((event) => (event.type === "text" ? [event.text] : [])).join("");
    assert.equal(text, answer.text);
    assert.ok(answer.tokens > 0 && answer.tokens <= 24);
    assert.equal(answer.stopReason, answer.tokens === 24 ? "maxTokens" : "eos");

    await assert.rejects(
      engine.chat({ messages: [{ role: "user", content: "hi" }], contrastive: { alpha: 0.5, beta: 0.1 } }),
      (error: unknown) =>
        error instanceof ChatRequestError &&
        /Contrastive decoding needs the draft and the target in this process; variant srv-base runs on llama-server/.test(
          error.message,
        ),
    );
    const controller = new AbortController();
    const stopped = await engine.chat(
      { messages: [{ role: "user", content: "Explain calc.py" }], maxTokens: 1000 },
      controller.signal,
      (event) => event.type === "text" && controller.abort(),
    );
    assert.equal(stopped.stopReason, "aborted");
  });

  test("the host picks the place per variant: a local variant loads in this process, and back to the server", async () => {
    await engine.loadCatalogVariant({
      variantId: "coop-tiny",
      catalogFiles,
      cacheDir: coopCacheDir(),
      gpu: "cpu",
    });
    assert.equal(engine.remoteBackend, undefined, "the server connection is closed for a local variant");
    const local = await engine.complete({ ...request, document: "file:///shop/local.py" });
    assert.equal(local.source, "generated");
    await engine.loadCatalogVariant({ variantId: "srv-python", catalogFiles, gpu: "cpu" });
    assert.ok(engine.remoteBackend, "back on the server");
    assert.equal(
      (await engine.complete({ ...request, document: "file:///shop/back.py", bypassCache: true })).source,
      "generated",
    );
  });
});

describe("remote variants in the engine host process: the API key", { skip }, () => {
  const apiKey = "coop-team-key-9d27f1";
  const wrongKey = "coop-wrong-key-41aa0c";
  let server: RunningLlamaServer;
  let dir: string;
  let catalogFiles: string[];
  const teardown = new Teardown();

  before(async () => {
    const models = await fixtures();
    server = await startLlamaServer(binary.path, [
      "-m",
      models.target,
      "-c",
      "2048",
      "-np",
      "1",
      "--api-key",
      apiKey,
    ]);
    teardown.add(() => server.stop());
    dir = await mkdtemp(join(tmpdir(), "coop-remote-key-"));
    teardown.add(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, "team.json"),
      JSON.stringify({ version: 1, variants: [remoteVariant("keyed", server.url)] }),
    );
    catalogFiles = [join(repoRoot, "models.json"), join(dir, "team.json")];
  });

  after(() => teardown.run());

  test("given in memory: without it 401 says so, with it the variant serves, a wrong one is refused; no log line or error shows a key", async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const states: string[] = [];
    const host = testEngineHost({
      onLog: (level, message) => lines.push(`${level} ${message}`),
      onStateChange: (state) => states.push(state),
    });
    const load = () => host.loadCatalogVariant({ variantId: "keyed", catalogFiles, gpu: "cpu" });
    try {
      const missing = await load().then(
        () => assert.fail("loaded without a key"),
        (error: unknown) => error as EngineRequestError,
      );
      errors.push(missing.message);
      assert.equal(missing.name, "RemoteEngineError");
      assert.match(
        missing.message,
        /needs an API key and none is set for this endpoint\. Set it with the command "Coop: Set Remote Server API Key"/,
      );

      // The endpoint as the user typed it: normalized on arrival.
      await host.setRemoteApiKeys([{ endpoint: `${server.url}/`, apiKey }]);
      const state = await load();
      assert.equal(state.id, "keyed");
      const answer = await host.complete(request);
      assert.equal(answer.source, "generated");

      // Killed and restarted, the engine gets the key back before its variant loads again.
      process.kill(host.pid!, "SIGKILL");
      for (let waited = 0; !states.includes("crashed"); waited += 20) {
        if (waited > 10_000) assert.fail("the client did not see the engine die");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const restarted = await host.complete({
        ...request,
        document: "file:///after-restart.py",
        bypassCache: true,
      });
      assert.equal(restarted.source, "generated");

      await host.setRemoteApiKeys([{ endpoint: server.url, apiKey: wrongKey }]);
      const refused = await load().then(
        () => assert.fail("loaded with a wrong key"),
        (error: unknown) => error as EngineRequestError,
      );
      errors.push(refused.message);
      assert.match(refused.message, /did not accept the API key Coop sent/);
    } finally {
      await host.dispose();
    }
    for (const text of [...lines, ...errors]) {
      assert.ok(!text.includes(apiKey) && !text.includes(wrongKey), `a key leaked: ${text}`);
    }
  });

  test("the host cuts every key it holds out of what it logs", async () => {
    const child = fork(join(repoRoot, "engine", "host", "server", "hostMain.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const logs: string[] = [];
    const results = new Map<number, unknown>();
    let ready = false;
    child.on("message", (raw) => {
      const message = parseHostMessage(raw);
      if (message?.kind === "ready") ready = true;
      if (message?.kind === "log") logs.push(message.message);
      if (message?.kind === "result") results.set(message.id, message.result);
    });
    const until = async (done: () => boolean): Promise<void> => {
      for (let waited = 0; !done(); waited += 20) {
        if (waited > 30_000) assert.fail("the engine host did not answer");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await until(() => ready);
      child.send({
        kind: "request",
        id: 1,
        method: "setRemoteApiKeys",
        params: { keys: [{ endpoint: server.url, apiKey }] },
      });
      await until(() => results.has(1));
      assert.deepEqual(results.get(1), { endpoints: 1 });
      // A malformed request is logged with a preview of what it held: here, the key.
      child.send({ kind: "request", id: -1, method: "complete", params: { prefix: `token=${apiKey}` } });
      await until(() => logs.some((line) => line.includes("malformed")));
      const line = logs.find((entry) => entry.includes("malformed"))!;
      assert.ok(!line.includes(apiKey), line);
      assert.match(line, /token=\[api key\]/);
      // And the key-setting request itself is never previewed, even malformed.
      child.send({
        kind: "request",
        id: -2,
        method: "setRemoteApiKeys",
        params: { keys: [{ endpoint: server.url, apiKey: "not-yet-held-key" }] },
      });
      await until(() => logs.filter((entry) => entry.includes("malformed")).length === 2);
      assert.ok(logs.every((entry) => !entry.includes("not-yet-held-key")));
    } finally {
      child.send({ kind: "shutdown" });
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});

describe("API keys in memory", () => {
  test("are found by any spelling of the endpoint, replaced as a whole, and redacted when long enough to be secrets", () => {
    const store = new RemoteApiKeyStore();
    store.replace([
      { endpoint: "http://GPU-box:8080/", apiKey: "secret-1234" },
      { endpoint: "https://other.example.com", apiKey: "abc" },
    ]);
    assert.equal(store.get("http://gpu-box:8080"), "secret-1234");
    assert.equal(
      store.redact("sent secret-1234 twice: secret-1234; abc stays"),
      "sent [api key] twice: [api key]; abc stays",
    );
    store.replace([]);
    assert.equal(store.get("http://gpu-box:8080"), undefined);
    assert.equal(store.redact("secret-1234"), "secret-1234", "a key no longer held is not known");
  });
});
