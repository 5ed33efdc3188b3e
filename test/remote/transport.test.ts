// The remote backends' transport: SSE parsing, retries with backoff only where a retry is safe, timeouts.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  LlamaServerBackend,
  RemoteEngineError,
  RemoteHttpClient,
  SseParser,
} from "../../engine/backends/index.js";
import { sendJson, startReplayServer } from "./replayServer.js";

describe("SseParser", () => {
  test("events split anywhere, CRLF split between pieces, multi-line data, comments, [DONE]", () => {
    const stream =
      ': keep-alive\r\ndata: {"a":1}\r\n\r\nevent: error\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n';
    for (let size = 1; size <= stream.length; size++) {
      const parser = new SseParser();
      const events = [];
      for (let at = 0; at < stream.length; at += size)
        events.push(...parser.push(stream.slice(at, at + size)));
      assert.deepEqual(
        events,
        [{ data: '{"a":1}' }, { event: "error", data: "line one\nline two" }, { data: "[DONE]" }],
        `piece size ${size}`,
      );
    }
  });

  test("an event not closed by a blank line is not dispatched", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push("data: partial\n"), []);
    assert.deepEqual(parser.end(), []);
  });
});

describe("RemoteHttpClient retries and timeouts", () => {
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  test("an idempotent read is retried with backoff after 503, then succeeds", async () => {
    let calls = 0;
    const server = await startReplayServer((_request, response) => {
      calls++;
      if (calls < 3)
        return sendJson(
          response,
          503,
          '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}',
        );
      sendJson(response, 200, '[{"id":0,"path":"/m/lora-python.gguf","scale":0}]');
    });
    servers.push(server);
    const started = Date.now();
    const adapters = await new LlamaServerBackend({
      baseUrl: server.url,
      retryBaseDelayMs: 40,
    }).listAdapters();
    assert.equal(calls, 3);
    assert.ok(Date.now() - started >= 40 + 80, "waited 40 ms, then 80 ms");
    assert.deepEqual(adapters, [{ id: 0, path: "/m/lora-python.gguf", scale: 0 }]);
  });

  test("a generation is not retried after a 500, nor once its stream began", async () => {
    let calls = 0;
    const server = await startReplayServer((request, response) => {
      calls++;
      if (request.body && (request.body as { n_predict?: number }).n_predict === 1)
        return sendJson(response, 500, '{"error":"boom"}');
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('data: {"content":"x","stop":false}\n\n');
      setTimeout(() => response.destroy(), 20);
    });
    servers.push(server);
    const backend = new LlamaServerBackend({ baseUrl: server.url, retryBaseDelayMs: 1 });
    const failed = await backend.complete({ prefix: "", suffix: "", maxTokens: 1, adapters: undefined }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(
      failed instanceof RemoteEngineError && failed.status === 500 && /HTTP 500: boom/.test(failed.message),
      String(failed),
    );
    assert.equal(calls, 1);
    const broken = await backend.complete({ prefix: "", suffix: "", maxTokens: 9 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(broken instanceof RemoteEngineError && broken.failure === "interrupted", String(broken));
    assert.equal(calls, 2);
  });

  test("a server that does not answer in time, and a stream that stalls, fail with timeout errors", async () => {
    const server = await startReplayServer((request, response) => {
      if (request.path === "/slow") return; // never answers
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('data: {"content":"x","stop":false}\n\n'); // then silence
    });
    servers.push(server);
    const client = new RemoteHttpClient({
      baseUrl: server.url,
      serverName: "llama-server",
      requestTimeoutMs: 100,
      idleTimeoutMs: 100,
      retries: 0,
    });
    const slow = await client.json("GET", "/slow", undefined, { retry: "idempotent" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(slow instanceof RemoteEngineError && slow.failure === "timeout", String(slow));
    assert.match(slow.message, /did not answer \/slow within 0\.1 s/);
    const events: string[] = [];
    const stalled = await client
      .stream("/stall", {}, undefined, (event) => void events.push(event.data))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(stalled instanceof RemoteEngineError && stalled.failure === "timeout", String(stalled));
    assert.equal(events.length, 1);
  });

  test("an unreachable server: refused connections are retried, then a clear error", async () => {
    const server = await startReplayServer(() => undefined);
    const url = server.url;
    await server.close();
    const client = new RemoteHttpClient({
      baseUrl: url,
      serverName: "vLLM",
      retries: 2,
      retryBaseDelayMs: 10,
    });
    const started = Date.now();
    const error = await client.json("GET", "/v1/models", undefined, { retry: "idempotent" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RemoteEngineError && error.failure === "unreachable");
    assert.match(
      error.message,
      /Cannot reach vLLM at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): is the server running/,
    );
    assert.ok(Date.now() - started >= 30, "two retries, 10 ms then 20 ms");
  });

  test("an invalid endpoint URL is refused with the setting to fix", () => {
    assert.throws(
      () => new RemoteHttpClient({ baseUrl: "gpu-box:8080", serverName: "llama-server" }),
      /must be an http:\/\/ or https:\/\/ URL|not a valid URL/,
    );
  });
});
