// vLLM cannot run here (no GPU, no Python wheels offline): its OpenAI-compatible request and response
// shapes are checked against fixtures in test/remote/fixtures/vllm, transcribed from vLLM's protocol
// (vllm/entrypoints/openai/protocol.py: text_completion and chat.completion.chunk streams with
// stop_reason, the usage chunk of stream_options.include_usage, its ErrorResponse), replayed by a
// loopback server in uneven pieces.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  RemoteEngineError,
  VllmBackend,
  vllmFimPrompt,
  type FimTokenTexts,
} from "../../engine/backends/index.js";
import { CooperativeEngine } from "../../engine/host/index.js";
import { repoRoot } from "../support/repoRoot.js";
import { Teardown } from "../support/teardown.js";
import {
  fixtureText,
  sendInPieces,
  sendJson,
  startReplayServer,
  type RecordedRequest,
} from "./replayServer.js";

const qwenFim: FimTokenTexts = {
  prefix: "<|fim_prefix|>",
  suffix: "<|fim_suffix|>",
  middle: "<|fim_middle|>",
  repoName: "<|repo_name|>",
  fileSeparator: "<|file_sep|>",
};
const apiKey = "vllm-secret-7c1";

describe("vLLM backend (OpenAI-compatible shapes written from vLLM's protocol)", () => {
  let server: Awaited<ReturnType<typeof startReplayServer>>;
  let backend: VllmBackend;
  const teardown = new Teardown();

  before(async () => {
    server = await startReplayServer(async (request, response) => {
      if (request.headers.authorization !== `Bearer ${apiKey}`)
        return sendJson(response, 401, fixtureText("vllm/error-unauthorized.json"));
      const body = request.body as { model?: string; prompt?: string } | undefined;
      if (request.path === "/v1/models") return sendJson(response, 200, fixtureText("vllm/models.json"));
      if (body?.model === "rust-lora")
        return sendJson(response, 404, fixtureText("vllm/error-unknown-model.json"));
      if (request.path === "/v1/completions" && body?.prompt?.includes("TOO_LONG"))
        return sendInPieces(response, fixtureText("vllm/error-stream-mid.sse"), [50]);
      // CRLF line ends and odd piece sizes: lines, CRLFs and UTF-8 split across reads.
      if (request.path === "/v1/completions")
        return sendInPieces(
          response,
          fixtureText("vllm/completions-stream.sse").replaceAll("\n", "\r\n"),
          [7, 1, 33, 2],
        );
      if (request.path === "/v1/chat/completions")
        return sendInPieces(response, fixtureText("vllm/chat-stream.sse"), [5, 64, 3]);
      sendJson(response, 404, '{"detail":"Not Found"}');
    });
    teardown.add(() => server.close());
    backend = new VllmBackend({
      baseUrl: server.url,
      apiKey,
      model: "Qwen/Qwen2.5-Coder-7B",
      fim: qwenFim,
      retries: 0,
    });
    teardown.add(() => backend.dispose());
  });

  after(() => teardown.run());

  const lastBody = (): Record<string, unknown> => server.requests.at(-1)!.body as Record<string, unknown>;

  test("FIM goes to /v1/completions as a repo-level prompt; the adapter is chosen by the model field", async () => {
    const pieces: string[] = [];
    const result = await backend.complete(
      {
        prefix: "def total(xs):\n    return ",
        suffix: "\n",
        path: "stats.py",
        projectName: "shop",
        chunks: [{ path: "util.py", text: "def add(a, b):\n    return a + b" }],
        maxTokens: 16,
        stop: ["\n\n"],
        adapters: [{ name: "python-lora", scale: 1 }],
      },
      undefined,
      (text) => pieces.push(text),
    );
    assert.equal(result.text, "a + b");
    assert.deepEqual(pieces, ["a", " +", " b"]);
    assert.equal(result.stopReason, "stop");
    assert.equal(result.stats.promptTokens, 57);
    assert.equal(result.stats.reusedPromptTokens, 48);
    assert.equal(result.stats.generatedTokens, 3);
    assert.equal(result.stats.drafted, 0);

    const sent = server.requests.at(-1)!;
    assert.equal(sent.path, "/v1/completions");
    assert.deepEqual(sent.body, {
      model: "python-lora",
      prompt:
        "<|repo_name|>shop\n<|file_sep|>util.py\ndef add(a, b):\n    return a + b\n<|file_sep|>stats.py\n" +
        "<|fim_prefix|>def total(xs):\n    return <|fim_suffix|>\n<|fim_middle|>",
      max_tokens: 16,
      temperature: 0,
      stop: ["\n\n"],
      stream_options: { include_usage: true },
      stream: true,
    });
  });

  test("without adapters the base model is asked for; without repo tokens the chunks are plain text", () => {
    assert.equal(
      vllmFimPrompt(
        { prefix: "a", suffix: "b", chunks: [{ path: "x.js", text: "let x;" }] },
        { prefix: "<PRE>", suffix: "<SUF>", middle: "<MID>" },
      ),
      "x.js\nlet x;\n\n<PRE>a<SUF>b<MID>",
    );
  });

  test("chat streams delta.content from /v1/chat/completions, with usage as stats", async () => {
    const pieces: string[] = [];
    const answer = await backend.chat(
      { messages: [{ role: "user", content: "Sum a list?" }], maxTokens: 5 },
      undefined,
      (text) => pieces.push(text),
    );
    assert.equal(answer.text, "Use `sum(xs)`.");
    assert.deepEqual(pieces, ["Use", " `sum(xs)`."]);
    assert.equal(answer.stopReason, "limit");
    assert.equal(answer.stats.promptTokens, 31);
    assert.equal(answer.stats.generatedTokens, 5);
    const body = lastBody();
    assert.equal(body.model, "Qwen/Qwen2.5-Coder-7B");
    assert.deepEqual(body.messages, [{ role: "user", content: "Sum a list?" }]);
    assert.equal(body.stream, true);
  });

  test("verify() lists base model and adapters, and names what is missing", async () => {
    const { models } = await backend.verify(["python-lora"]);
    assert.deepEqual(models, ["Qwen/Qwen2.5-Coder-7B", "python-lora"]);
    const error = await backend.verify(["rust-lora"]).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RemoteEngineError && error.failure === "unknown-model");
    assert.match(
      error.message,
      /does not serve "rust-lora" \(it serves Qwen\/Qwen2\.5-Coder-7B, python-lora\).*--lora-modules rust-lora=PATH/,
    );
  });

  test("an adapter the server does not know: HTTP 404 becomes an unknown-model error with vLLM's message", async () => {
    const error = await backend
      .complete({ prefix: "", suffix: "", maxTokens: 1, adapters: [{ name: "rust-lora", scale: 1 }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(
      error instanceof RemoteEngineError && error.failure === "unknown-model" && error.status === 404,
      String(error),
    );
    assert.match(error.message, /The model `rust-lora` does not exist/);
  });

  test("adapters vLLM cannot apply per request are refused before sending", async () => {
    const sentBefore = server.requests.length;
    const two = await backend
      .complete({
        prefix: "",
        suffix: "",
        maxTokens: 1,
        adapters: [
          { name: "a", scale: 1 },
          { name: "b", scale: 1 },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.match(String(two), /one LoRA adapter per request.*a \+ b/);
    const scaled = await backend
      .complete({ prefix: "", suffix: "", maxTokens: 1, adapters: [{ name: "python-lora", scale: 0.5 }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.match(String(scaled), /full strength only.*scale 0\.5/);
    assert.equal(server.requests.length, sentBefore);
  });

  test("an error sent inside the stream rejects with the server's message", async () => {
    const error = await backend.complete({ prefix: "TOO_LONG", suffix: "", maxTokens: 4 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RemoteEngineError, String(error));
    assert.match(error.message, /longer than the maximum model length/);
  });

  test("HTTP 401: unauthorized, and the key never appears in the error", async () => {
    const wrongKey = "not-the-key-31f";
    const wrong = new VllmBackend({
      baseUrl: server.url,
      apiKey: wrongKey,
      model: "Qwen/Qwen2.5-Coder-7B",
      fim: qwenFim,
    });
    const error = await wrong.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RemoteEngineError && error.failure === "unauthorized" && error.status === 401);
    assert.match(
      error.message,
      /vLLM at http:\/\/127\.0\.0\.1:\d+ refused \/v1\/chat\/completions \(HTTP 401: Unauthorized\): it did not accept the API key/,
    );
    assert.ok(!error.message.includes(wrongKey));
    const sent: RecordedRequest = server.requests.at(-1)!;
    assert.equal(sent.headers.authorization, `Bearer ${wrongKey}`);
  });
});

describe("a vLLM variant through the engine (shapes written from vLLM's protocol)", () => {
  let server: Awaited<ReturnType<typeof startReplayServer>>;
  let dir: string;
  let catalogFiles: string[];
  let engine: CooperativeEngine;
  const teardown = new Teardown();

  before(async () => {
    server = await startReplayServer(async (request, response) => {
      if (request.headers.authorization !== `Bearer ${apiKey}`)
        return sendJson(response, 401, fixtureText("vllm/error-unauthorized.json"));
      if (request.path === "/v1/models") return sendJson(response, 200, fixtureText("vllm/models.json"));
      if (request.path === "/v1/completions")
        return sendInPieces(response, fixtureText("vllm/completions-stream.sse"), [40]);
      if (request.path === "/v1/chat/completions")
        return sendInPieces(response, fixtureText("vllm/chat-stream.sse"), [40]);
      sendJson(response, 404, '{"detail":"Not Found"}');
    });
    teardown.add(() => server.close());
    dir = await mkdtemp(join(tmpdir(), "coop-vllm-variant-"));
    teardown.add(() => rm(dir, { recursive: true, force: true }));
    const variant = (id: string, adapters: { name: string }[]) => ({
      id,
      label: id,
      description: "Qwen2.5-Coder 7B on the team's vLLM",
      target: "qwen2.5-coder-7b-instruct-q4_k_m",
      remote: { kind: "vllm", url: server.url, model: "Qwen/Qwen2.5-Coder-7B", adapters },
    });
    await writeFile(
      join(dir, "team.json"),
      JSON.stringify({
        version: 1,
        variants: [
          variant("vllm-python", [{ name: "python-lora" }]),
          variant("vllm-base", []),
          variant("vllm-rust", [{ name: "rust-lora" }]),
        ],
      }),
    );
    catalogFiles = [join(repoRoot, "models.json"), join(dir, "team.json")];
    engine = new CooperativeEngine({
      apiKeyFor: (endpoint) => (endpoint === server.url ? apiKey : undefined),
      remoteHttp: { retries: 0 },
    });
    teardown.add(() => engine.dispose());
  });

  after(() => teardown.run());

  test("FIM is laid out with the catalog's Qwen tokens and the variant's adapter as the model; a swap changes only the model field", async () => {
    const state = await engine.loadCatalogVariant({ variantId: "vllm-python", catalogFiles, gpu: "cpu" });
    assert.match(
      state.notices[0]!,
      /vllm-python runs on vllm at http:\/\/127\.0\.0\.1:\d+, adapters python-lora at 1/,
    );
    const connection = engine.remoteBackend;
    const request = {
      document: "file:///shop/stats.py",
      path: "stats.py",
      projectName: "shop",
      prefix: "def total(xs):\n    return ",
      suffix: "\n",
      multiline: true,
      chunks: [],
    };
    const completion = await engine.complete(request);
    assert.equal(completion.raw, "a + b");
    assert.equal(completion.stats?.promptTokens, 57);
    const sent = server.requests.at(-1)!.body as { model: string; prompt: string; stop?: string[] };
    assert.equal(sent.model, "python-lora");
    assert.equal(
      sent.prompt,
      "<|repo_name|>shop\n<|file_sep|>stats.py\n<|fim_prefix|>def total(xs):\n    return <|fim_suffix|>\n<|fim_middle|>",
    );
    assert.equal(sent.stop, undefined, "a multi-line request runs to the token limit");

    await engine.loadCatalogVariant({ variantId: "vllm-base", catalogFiles, gpu: "cpu" });
    assert.equal(engine.remoteBackend, connection, "the same connection");
    await engine.complete({ ...request, multiline: false, bypassCache: true });
    const base = server.requests.at(-1)!.body as { model: string; stop?: string[] };
    assert.equal(base.model, "Qwen/Qwen2.5-Coder-7B");
    assert.deepEqual(base.stop, ["\n"], "a single-line request stops at the end of the line");

    await assert.rejects(
      engine.loadCatalogVariant({ variantId: "vllm-rust", catalogFiles, gpu: "cpu" }),
      /does not serve "rust-lora"/,
    );
  });

  test("chat sends Coop's instructions as the system message and the conversation, answering with the server's text", async () => {
    await engine.loadCatalogVariant({ variantId: "vllm-python", catalogFiles, gpu: "cpu" });
    const answer = await engine.chat({ messages: [{ role: "user", content: "Sum a list?" }], maxTokens: 5 });
    assert.equal(answer.text, "Use `sum(xs)`.");
    assert.equal(answer.stopReason, "maxTokens");
    assert.equal(answer.tokens, 5);
    const body = server.requests.at(-1)!.body as {
      model: string;
      max_tokens: number;
      messages: { role: string; content: string }[];
    };
    assert.equal(body.model, "python-lora");
    assert.equal(body.max_tokens, 5);
    assert.equal(body.messages[0]!.role, "system");
    assert.match(body.messages[0]!.content, /^You are Coop, a coding assistant/);
    assert.deepEqual(body.messages.slice(1), [{ role: "user", content: "Sum a list?" }]);
  });
});
