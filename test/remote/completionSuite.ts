// One completion suite for every InferenceBackend: whatever runs the model (node-llama-cpp in this
// process, a llama-server), Coop gets the same behaviour from it. backends.test.ts runs it on each.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FimRequest, InferenceBackend } from "../../engine/backends/index.js";
import { Teardown } from "../support/teardown.js";

/** A backend ready for the suite, and how to free everything behind it (the backend, its server). */
export interface SuiteSubject {
  backend: InferenceBackend;
  close(): Promise<void>;
}

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

/** The error the promise rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected the request to fail");
}

/**
 * Registers the suite for one backend. `open` runs once before the suite's tests and the subject is
 * closed after them; `skip` (a reason) skips the suite visibly.
 */
export function completionSuite(
  name: string,
  open: () => Promise<SuiteSubject>,
  options: { skip?: string | false } = {},
): void {
  describe(`${name}: the shared completion suite`, { skip: options.skip ?? false }, () => {
    let subject: SuiteSubject;
    let backend: InferenceBackend;
    const teardown = new Teardown();

    before(async () => {
      subject = await open();
      teardown.add(() => subject.close());
      backend = subject.backend;
    });

    after(() => teardown.run());

    test("FIM streams its text in pieces that join to the final text, within the token limit, with stats", async () => {
      const { pieces, onChunk } = collect();
      const result = await backend.complete(fim, undefined, onChunk);
      assert.ok(result.text.length > 0, "some text");
      assert.ok(pieces.length > 1, `streamed in several pieces, got ${pieces.length}`);
      assert.equal(pieces.join(""), result.text);
      const { stats } = result;
      assert.ok(
        stats.generatedTokens > 0 && stats.generatedTokens <= fim.maxTokens,
        String(stats.generatedTokens),
      );
      assert.equal(result.stopReason, stats.generatedTokens === fim.maxTokens ? "limit" : "eos");
      assert.ok(stats.promptTokens > 10, `prompt tokens ${stats.promptTokens}`);
      assert.equal(stats.drafted, stats.validated + stats.refuted);
      assert.ok((stats.tokensPerSecond ?? 0) > 0, "a generation speed");
      assert.ok(stats.timeToFirstTokenMs >= 0 && stats.timeToFirstTokenMs <= stats.totalMs);
    });

    test("greedy FIM is deterministic, and the repeated prompt is reused rather than evaluated again", async () => {
      const first = await backend.complete(fim);
      const second = await backend.complete(fim);
      assert.equal(second.text, first.text);
      assert.ok(
        second.stats.reusedPromptTokens > 0,
        `reused ${second.stats.reusedPromptTokens} prompt tokens`,
      );
    });

    test("retrieved chunks reach the prompt", async () => {
      const without = await backend.complete({ ...fim, maxTokens: 4 });
      const withChunks = await backend.complete({
        ...fim,
        maxTokens: 4,
        chunks: [{ path: "ops.py", text: "def mul(a, b):\n    return a * b\n" }],
      });
      assert.ok(
        withChunks.stats.promptTokens > without.stats.promptTokens + 10,
        `${withChunks.stats.promptTokens} vs ${without.stats.promptTokens}`,
      );
    });

    test("a stop string ends the text right before it, streamed pieces included", async () => {
      const reference = await backend.complete(fim);
      // The first piece of the reference, three characters on, that does not occur earlier in it.
      let at = 3;
      let stop = "";
      for (; at + 2 <= reference.text.length; at++) {
        stop = reference.text.slice(at, at + 2);
        if (stop.trim() !== "" && reference.text.indexOf(stop) === at) break;
      }
      assert.ok(
        at + 2 <= reference.text.length,
        `no usable stop string in ${JSON.stringify(reference.text)}`,
      );
      const { pieces, onChunk } = collect();
      const stopped = await backend.complete({ ...fim, stop: [stop] }, undefined, onChunk);
      assert.equal(stopped.text, reference.text.slice(0, at), `stopped before ${JSON.stringify(stop)}`);
      assert.equal(stopped.stopReason, "stop");
      assert.equal(pieces.join(""), stopped.text);
    });

    test("aborting mid-stream rejects with an AbortError soon, and the next request is served", async () => {
      const controller = new AbortController();
      const pieces: string[] = [];
      const started = Date.now();
      const error = await failure(
        backend.complete({ ...fim, maxTokens: 1500 }, controller.signal, (text) => {
          pieces.push(text);
          if (pieces.length === 3) controller.abort();
        }),
      );
      assert.equal(error.name, "AbortError");
      assert.ok(pieces.length >= 3 && pieces.length < 200, `${pieces.length} pieces`);
      assert.ok(Date.now() - started < 30_000);
      const next = await backend.complete({ ...fim, maxTokens: 4 });
      assert.equal(next.stats.generatedTokens, 4);
    });

    test("chat answers in the model's chat format, streamed", async () => {
      const { pieces, onChunk } = collect();
      const maxTokens = 12;
      const answer = await backend.chat(
        {
          messages: [
            { role: "system", content: "You write Python." },
            { role: "user", content: "def add(a, b):" },
          ],
          maxTokens,
        },
        undefined,
        onChunk,
      );
      assert.ok(answer.text.length > 0);
      assert.equal(pieces.join(""), answer.text);
      assert.ok(answer.stats.generatedTokens > 0 && answer.stats.generatedTokens <= maxTokens);
      assert.equal(answer.stopReason, answer.stats.generatedTokens === maxTokens ? "limit" : "eos");
      // The template wraps the turns (ChatML's <|im_start|>…<|im_end|>): more prompt tokens than the bare
      // words.
      assert.ok(answer.stats.promptTokens >= 14, String(answer.stats.promptTokens));
    });

    test("aborting a chat resolves with the text so far", async () => {
      const controller = new AbortController();
      const partial = await backend.chat(
        { messages: [{ role: "user", content: "Explain" }], maxTokens: 1500 },
        controller.signal,
        () => controller.abort(),
      );
      assert.equal(partial.stopReason, "aborted");
      assert.ok(partial.text.length > 0);
    });

    test("stats() totals the finished requests", () => {
      const totals = backend.stats();
      assert.ok(totals.requests >= 8, `${totals.requests} requests`);
      assert.ok((totals.tokensPerSecond ?? 0) > 0);
    });
  });
}
