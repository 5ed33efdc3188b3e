// The remote backend against a real llama-server built from the llama.cpp source node-llama-cpp ships
// (scripts/build-llama-server.sh), serving the fixture models on a loopback port with one thread.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  LlamaServerBackend,
  RemoteEngineError,
  type BackendCompletion,
  type FimRequest,
} from "../../engine/backends/index.js";
import { fixtures, type Fixtures } from "../support/fixtures.js";
import { llamaServerBinary, startLlamaServer, type RunningLlamaServer } from "../support/llamaServer.js";
import { Teardown } from "../support/teardown.js";

const binary = llamaServerBinary();
// .ci/run builds llama-server first: in CI a missing binary is a broken build, not a reason to skip.
if (!binary.built && process.env.CI === "true")
  throw new Error(`CI must run the remote tests against a real llama-server: ${binary.reason}`);
if (!binary.built) {
  // Visible in every reporter, not only as a skip marker.
  console.warn(`SKIPPED remote llama-server tests: ${binary.reason}`);
}
const skip = binary.built ? false : binary.reason;

const fim: FimRequest = {
  prefix: "def add(a, b):\n    return ",
  suffix: "\n\ndef sub(a, b):\n    return a - b\n",
  path: "calc.py",
  projectName: "calc",
  maxTokens: 24,
};

function collect(): { pieces: string[]; onChunk: (text: string) => void } {
  const pieces: string[] = [];
  return { pieces, onChunk: (text) => pieces.push(text) };
}

/** Rejects with the error the promise rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected the request to fail");
}

describe("llama-server backend (real server, fixture models)", { skip }, () => {
  let models: Fixtures;
  /** Target with the draft (server-side speculative decoding) and both LoRA adapters loaded. */
  let speculative: RunningLlamaServer;
  let backend: LlamaServerBackend;
  const teardown = new Teardown();

  before(async () => {
    models = await fixtures();
    speculative = await startLlamaServer(binary.path, [
      "-m",
      models.target,
      "-md",
      models.draft,
      "--spec-type",
      "draft-simple",
      "--lora",
      `${models.adapters.python},${models.adapters.cpp}`,
      // /infill keeps retrieved chunks only in the context left over after one batch and twice n_predict.
      "-c",
      "4096",
      "-b",
      "1024",
      "-np",
      "1",
    ]);
    teardown.add(() => speculative.stop());
    backend = new LlamaServerBackend({
      baseUrl: speculative.url,
      model: "target.gguf",
      requestTimeoutMs: 30_000,
    });
    teardown.add(() => backend.dispose());
  });

  after(() => teardown.run());

  test("verify() finds the fixture target, and names what it serves when the model is wrong", async () => {
    const { models: served } = await backend.verify();
    assert.ok(
      served.some((id) => id.endsWith("target.gguf")),
      served.join(", "),
    );
    const wrong = new LlamaServerBackend({ baseUrl: speculative.url, model: "qwen2.5-coder-7b.gguf" });
    const error = await failure(wrong.verify());
    assert.ok(error instanceof RemoteEngineError && error.failure === "unknown-model", String(error));
    assert.match(error.message, /serves .*target\.gguf, not qwen2\.5-coder-7b\.gguf/);
  });

  test("FIM through /infill streams the text, with the server's timings and speculation counts as stats", async () => {
    const { pieces, onChunk } = collect();
    const result = await backend.complete({ ...fim, adapters: [] }, undefined, onChunk);
    assert.ok(result.text.length > 0);
    assert.ok(pieces.length > 1, "streamed in several pieces");
    assert.equal(pieces.join(""), result.text);
    assert.equal(result.stopReason, "limit");
    assert.equal(result.stats.generatedTokens, fim.maxTokens);
    assert.ok(result.stats.promptTokens > 10);
    assert.ok(result.stats.drafted > 0, "the server's draft proposed tokens");
    assert.equal(result.stats.drafted, result.stats.validated + result.stats.refuted);
    assert.ok(result.stats.acceptanceRate !== undefined && result.stats.acceptanceRate > 0);
    assert.ok((result.stats.tokensPerSecond ?? 0) > 0);
    assert.ok(result.stats.timeToFirstTokenMs <= result.stats.totalMs);
    assert.equal(backend.stats().requests >= 1, true);
  });

  test("retrieved chunks reach the prompt as input_extra", async () => {
    const without = await backend.complete({ ...fim, maxTokens: 4, adapters: [] });
    const withChunks = await backend.complete({
      ...fim,
      maxTokens: 4,
      adapters: [],
      chunks: [{ path: "ops.py", text: "def mul(a, b):\n    return a * b\n" }],
    });
    // The chunk's tokens (and its file name) are evaluated as part of the prompt.
    assert.ok(
      withChunks.stats.promptTokens > without.stats.promptTokens + 10,
      `${withChunks.stats.promptTokens} vs ${without.stats.promptTokens}`,
    );
  });

  test("server-side speculative decoding is lossless: the same text as the target alone", async () => {
    const plain = await startLlamaServer(binary.path, ["-m", models.target, "-c", "2048", "-np", "1"]);
    try {
      const alone = new LlamaServerBackend({ baseUrl: plain.url });
      const request: FimRequest = { ...fim, maxTokens: 32 };
      const reference = await alone.complete(request);
      const drafted = await backend.complete({ ...request, adapters: [] });
      assert.equal(drafted.text, reference.text);
      assert.equal(reference.stats.drafted, 0);
      assert.ok(drafted.stats.drafted > 0);
      await alone.dispose();
    } finally {
      await plain.stop();
    }
  });

  test("a LoRA adapter is switched per request by name, at the scale asked for", async () => {
    const adapters = await backend.listAdapters();
    assert.deepEqual(
      adapters.map((adapter) => adapter.id),
      [0, 1],
    );
    const base = await backend.complete({ ...fim, adapters: [] });
    const python = await backend.complete({ ...fim, adapters: [{ name: "lora-python", scale: 1 }] });
    const halfCpp = await backend.complete({ ...fim, adapters: [{ name: "lora-cpp", scale: 0.5 }] });
    const baseAgain = await backend.complete({ ...fim, adapters: [] });

    assert.notEqual(python.text, base.text, "the Python adapter changes the output");
    assert.equal(baseAgain.text, base.text, "no adapter leaks into the next request");
    assert.deepEqual(base.appliedAdapters, [
      { id: 0, scale: 0 },
      { id: 1, scale: 0 },
    ]);
    assert.deepEqual(python.appliedAdapters, [
      { id: 0, scale: 1 },
      { id: 1, scale: 0 },
    ]);
    assert.deepEqual(halfCpp.appliedAdapters, [
      { id: 0, scale: 0 },
      { id: 1, scale: 0.5 },
    ]);

    const error = await failure(backend.complete({ ...fim, adapters: [{ name: "lora-rust", scale: 1 }] }));
    assert.ok(error instanceof RemoteEngineError && error.failure === "unknown-adapter");
    assert.match(
      error.message,
      /no LoRA adapter "lora-rust" \(it loaded lora-python \(id 0\), lora-cpp \(id 1\)\)/,
    );
  });

  test("the variant's default adapters apply when a request names none", async () => {
    const withDefault = new LlamaServerBackend({
      baseUrl: speculative.url,
      defaultAdapters: [{ name: "lora-python", scale: 1 }],
    });
    const viaDefault = await withDefault.complete(fim);
    const explicit = await backend.complete({ ...fim, adapters: [{ name: "lora-python", scale: 1 }] });
    assert.equal(viaDefault.text, explicit.text);
    assert.deepEqual(viaDefault.appliedAdapters, [
      { id: 0, scale: 1 },
      { id: 1, scale: 0 },
    ]);
    await withDefault.dispose();
  });

  test("/completion continues a raw prompt", async () => {
    const result = await backend.completePrompt({ prompt: "import os\nimport ", maxTokens: 8, adapters: [] });
    assert.ok(result.text.length > 0);
    assert.equal(result.stats.generatedTokens, 8);
  });

  test("chat through /v1/chat/completions applies the model's ChatML template and streams", async () => {
    const { pieces, onChunk } = collect();
    const answer = await backend.chat(
      {
        messages: [
          { role: "system", content: "You write Python." },
          { role: "user", content: "def add(a, b):" },
        ],
        maxTokens: 12,
        adapters: [],
      },
      undefined,
      onChunk,
    );
    assert.ok(answer.text.length > 0);
    assert.equal(pieces.join(""), answer.text);
    assert.equal(answer.stopReason, "limit");
    assert.equal(answer.stats.generatedTokens, 12);
    // The template wraps the turns in <|im_start|>…<|im_end|>: more prompt tokens than the bare words.
    assert.ok(answer.stats.promptTokens >= 14, String(answer.stats.promptTokens));
  });

  test("aborting mid-stream stops the generation; the server serves the next request", async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const started = Date.now();
    const error = await failure(
      backend.complete({ ...fim, maxTokens: 1500, adapters: [] }, controller.signal, (text) => {
        pieces.push(text);
        if (pieces.length === 3) controller.abort();
      }),
    );
    assert.equal(error.name, "AbortError");
    assert.ok(pieces.length >= 3 && pieces.length < 200, `${pieces.length} pieces`);
    assert.ok(Date.now() - started < 15_000);

    const chatController = new AbortController();
    const partial = await backend.chat(
      { messages: [{ role: "user", content: "Explain" }], maxTokens: 1500, adapters: [] },
      chatController.signal,
      () => chatController.abort(),
    );
    assert.equal(partial.stopReason, "aborted");
    assert.ok(partial.text.length > 0);

    const next: BackendCompletion = await backend.complete({ ...fim, maxTokens: 4, adapters: [] });
    assert.equal(next.stats.generatedTokens, 4);
  });
});

describe("llama-server backend: API key and a server that dies", { skip }, () => {
  let models: Fixtures;
  let server: RunningLlamaServer;
  const apiKey = "coop-test-key-5e1f";
  const teardown = new Teardown();

  before(async () => {
    models = await fixtures();
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
  });

  after(() => teardown.run());

  test("HTTP 401 without the key or with a wrong one: a clear error that never shows the key", async () => {
    const none = await failure(
      new LlamaServerBackend({ baseUrl: server.url }).complete({ ...fim, maxTokens: 2 }),
    );
    assert.ok(
      none instanceof RemoteEngineError && none.failure === "unauthorized" && none.status === 401,
      String(none),
    );
    assert.match(none.message, /needs an API key and none is set/);

    const wrongKey = "wrong-key-that-must-not-leak";
    const wrong = await failure(
      new LlamaServerBackend({ baseUrl: server.url, apiKey: wrongKey }).complete({ ...fim, maxTokens: 2 }),
    );
    assert.ok(wrong instanceof RemoteEngineError && wrong.failure === "unauthorized");
    assert.match(wrong.message, /did not accept the API key/);
    assert.ok(!wrong.message.includes(wrongKey) && !JSON.stringify(wrong).includes(wrongKey));

    const ok = await new LlamaServerBackend({ baseUrl: server.url, apiKey }).complete({
      ...fim,
      maxTokens: 2,
    });
    assert.equal(ok.stats.generatedTokens, 2);
  });

  test("the server killed mid-stream: the stream fails as interrupted, the next request as unreachable", async () => {
    const backend = new LlamaServerBackend({ baseUrl: server.url, apiKey, retries: 1, retryBaseDelayMs: 50 });
    let killed = false;
    const error = await failure(
      backend.complete({ ...fim, maxTokens: 1500 }, undefined, () => {
        if (!killed) {
          killed = true;
          server.process.kill("SIGKILL");
        }
      }),
    );
    assert.ok(killed);
    assert.ok(error instanceof RemoteEngineError, String(error));
    assert.equal(error.failure, "interrupted");
    assert.match(error.message, /broke off while streaming \/infill|ended the stream of \/infill/);

    await server.stop();
    const after = await failure(backend.complete({ ...fim, maxTokens: 2 }));
    assert.ok(after instanceof RemoteEngineError && after.failure === "unreachable", String(after));
    assert.match(
      after.message,
      new RegExp(`Cannot reach llama-server at http://127\\.0\\.0\\.1:${server.port} \\(ECONNREFUSED\\)`),
    );
  });
});
