// The same completion suite against both backends: node-llama-cpp in this process (the fixture target
// with its draft speculating) and a real llama-server built from node-llama-cpp's llama.cpp source,
// serving the same fixture models with server-side speculation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LlamaServerBackend, LocalBackend, UnsupportedRequestError } from "../../engine/backends/index.js";
import { fixtures } from "../support/fixtures.js";
import { llamaServerBinary, startLlamaServer } from "../support/llamaServer.js";
import { testRuntime } from "../support/runtime.js";
import { completionSuite } from "./completionSuite.js";

const binary = llamaServerBinary();
// .ci/run builds llama-server first: in CI a missing binary is a broken build, not a reason to skip.
if (!binary.built && process.env.CI === "true")
  throw new Error(`CI must run the remote tests against a real llama-server: ${binary.reason}`);
if (!binary.built) console.warn(`SKIPPED the shared completion suite on llama-server: ${binary.reason}`);

completionSuite("local backend (node-llama-cpp, fixture target + draft)", async () => {
  const models = await fixtures();
  const backend = await LocalBackend.load(await testRuntime(), {
    target: models.target,
    draft: models.draft,
    contextSize: 2048,
  });
  return { backend, close: () => backend.dispose() };
});

completionSuite(
  "llama-server backend (fixture target + draft on the server)",
  async () => {
    const models = await fixtures();
    // /infill keeps retrieved chunks only in the context left after one batch and twice n_predict: -c above
    // -b.
    const server = await startLlamaServer(binary.path, [
      "-m",
      models.target,
      "-md",
      models.draft,
      "--spec-type",
      "draft-simple",
      "-c",
      "4096",
      "-b",
      "1024",
      "-np",
      "1",
    ]);
    const backend = new LlamaServerBackend({ baseUrl: server.url });
    return {
      backend,
      close: async () => {
        await backend.dispose();
        await server.stop();
      },
    };
  },
  { skip: binary.built ? false : binary.reason },
);

describe("local backend: what only a server can do is refused clearly", () => {
  test("adapters are the ones loaded with the variant; another set, or sampled chat, is refused with what to do", async () => {
    const models = await fixtures();
    const backend = await LocalBackend.load(await testRuntime(), {
      target: models.target,
      adapters: [{ name: "lora-python", path: models.adapters.python!, scale: 1 }],
      contextSize: 1024,
    });
    try {
      const request = { prefix: "def add(a, b):\n    return ", suffix: "\n", maxTokens: 4 };
      const asLoaded = await backend.complete({
        ...request,
        adapters: [
          { name: "lora-python", scale: 1 },
          { name: "lora-cpp", scale: 0 },
        ],
      });
      const byDefault = await backend.complete(request);
      assert.equal(asLoaded.text, byDefault.text);
      await assert.rejects(
        backend.complete({ ...request, adapters: [{ name: "lora-cpp", scale: 1 }] }),
        (error: unknown) =>
          error instanceof UnsupportedRequestError &&
          /applies LoRA adapters when it loads a variant \(lora-python at 1\); a request cannot switch to lora-cpp at 1\. Swap to a variant/.test(
            error.message,
          ),
      );
      await assert.rejects(
        backend.chat({
          messages: [{ role: "user", content: "hi" }],
          maxTokens: 4,
          sampling: { temperature: 0.7 },
        }),
        (error: unknown) =>
          error instanceof UnsupportedRequestError && /answers chat greedily/.test(error.message),
      );
      await assert.rejects(
        backend.chat({ messages: [{ role: "user", content: "x ".repeat(600) }], maxTokens: 900 }),
        (error: unknown) =>
          error instanceof UnsupportedRequestError &&
          /more than the 1024 the local context holds/.test(error.message),
      );
    } finally {
      await backend.dispose();
    }
  });
});
