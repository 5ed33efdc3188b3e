import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import {
  CompletionAbortedError,
  SupersededRequestError,
  CompletionEngine,
  type CompletionRequest,
} from "../../engine/completion/index.js";
import { fixtureCorpora, fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let target: LlamaModel;
let draft: LlamaModel;
let requests: CompletionRequest[];

/** Cursor positions inside real code: prefix before, suffix after, in several files of the corpus. */
async function requestsFromCorpus(count: number): Promise<CompletionRequest[]> {
  const { code } = await fixtureCorpora();
  const out: CompletionRequest[] = [];
  for (let index = 0; out.length < count; index++) {
    const file = code.files[(index * 7) % code.files.length]!;
    const cursor = Math.floor((((index * 7919) % 1000) / 1000) * file.text.length);
    out.push({
      document: `file:///${file.path}#${index}`,
      path: file.path,
      prefix: file.text.slice(Math.max(0, cursor - 500), cursor),
      suffix: file.text.slice(cursor, cursor + 200),
      multiline: true,
      maxTokens: 32,
    });
  }
  return out;
}

before(async () => {
  const set = await fixtures();
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  draft = (await runtime.loadModel(set.draft)).model;
  requests = await requestsFromCorpus(24);
});

after(async () => {
  await draft.dispose();
  await target.dispose();
  await disposeTestRuntime();
});

describe("speculative decoding", () => {
  test("is lossless: with the draft, every completion is byte-identical to the target's alone", async () => {
    const runtime = await testRuntime();
    const plain = await CompletionEngine.create(
      runtime,
      { target },
      { variant: "plain", speculative: false },
    );
    const speculative = await CompletionEngine.create(
      runtime,
      { target, draft },
      { variant: "speculative", speculative: true },
    );
    try {
      assert.equal(plain.speculative, false);
      assert.equal(speculative.speculative, true);
      let drafted = 0;
      let validated = 0;
      for (const request of requests) {
        const expected = await plain.complete(request);
        const actual = await speculative.complete(request);
        assert.equal(actual.source, "generated");
        assert.equal(actual.raw, expected.raw, `differs for ${request.document}`);
        assert.equal(actual.text, expected.text);
        drafted += actual.stats!.drafted;
        validated += actual.stats!.validated;
      }
      assert.ok(drafted > 0, "the draft must have proposed tokens, or the comparison proves nothing");
      assert.ok(
        validated > 0 && validated < drafted,
        `validated ${validated} of ${drafted}: the target must accept some and refute some`,
      );
    } finally {
      await speculative.dispose();
      await plain.dispose();
    }
  });

  test("consecutive requests in the same file reuse the evaluated prompt prefix", async () => {
    const runtime = await testRuntime();
    const engine = await CompletionEngine.create(
      runtime,
      { target, draft },
      { variant: "reuse", speculative: true },
    );
    try {
      const base = requests[1]!;
      const first = await engine.complete(base);
      assert.equal(first.stats!.reusedPromptTokens, 0);
      // The user typed a little further: most of the prompt is unchanged.
      const second = await engine.complete({ ...base, prefix: base.prefix + "\n  const next = " });
      assert.ok(
        second.stats!.reusedPromptTokens > first.stats!.promptTokens / 2,
        `reused ${second.stats!.reusedPromptTokens} of ${second.stats!.promptTokens}`,
      );
      const alone = await CompletionEngine.create(
        runtime,
        { target },
        { variant: "alone", speculative: false },
      );
      try {
        const fresh = await alone.complete({ ...base, prefix: base.prefix + "\n  const next = " });
        assert.equal(second.raw, fresh.raw, "reusing the cache changes nothing in the output");
      } finally {
        await alone.dispose();
      }
    } finally {
      await engine.dispose();
    }
  });

  test("1,000 requests, each cancelling the one before, leak no sequence and the last is answered", async () => {
    const runtime = await testRuntime();
    const engine = await CompletionEngine.create(
      runtime,
      { target, draft },
      { variant: "rapid", speculative: true },
    );
    try {
      const base = requests[0]!;
      const pending: Promise<unknown>[] = [];
      let last: Promise<Awaited<ReturnType<CompletionEngine["complete"]>>> | undefined;
      for (let index = 0; index < 1000; index++) {
        // Same document, a growing prefix: each request supersedes the previous one, as typing does.
        const request = { ...base, prefix: base.prefix + " ".repeat(index % 7) + `x${index}` };
        last = engine.complete(request);
        pending.push(last.catch((error: unknown) => error));
        if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const outcomes = await Promise.all(pending);
      // Replaced by the next keystroke's request: superseded (or plainly cancelled), never an error.
      const isCancellation = (outcome: unknown): boolean =>
        outcome instanceof SupersededRequestError || outcome instanceof CompletionAbortedError;
      const cancelled = outcomes.filter(isCancellation).length;
      const failures = outcomes.filter((outcome) => outcome instanceof Error && !isCancellation(outcome));
      assert.deepEqual(failures, []);
      assert.ok(cancelled >= 900, `only ${cancelled} of 1000 were cancelled`);
      const answer = await last!;
      assert.equal(answer.source, "generated");
      assert.ok(answer.raw.length > 0);
      assert.equal(engine.sequencesInUse, 0, "every sequence went back to the pool");
      const afterwards = await engine.complete({ ...base, prefix: base.prefix + "\nconst after = " });
      assert.equal(afterwards.source, "generated", "the engine still answers");
    } finally {
      await engine.dispose();
    }
  });
});
