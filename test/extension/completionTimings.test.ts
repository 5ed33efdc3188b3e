import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CompletionClock,
  completionTimingsLine,
  formatCompletionStages,
  parseCompletionTimingsLine,
} from "../../extension/engine/completionTimings.js";
import { InstantAnswers } from "../../extension/completions/instantAnswers.js";
import type { EngineCompletion, EngineCompletionRequest } from "../../engine/host/contract/index.js";

test("a completion's stages print with '-' for what the engine did not report, and parse back", () => {
  const times = {
    prepare: 1.2,
    debounce: 25.4,
    load: 0,
    roundTrip: 61.6,
    languageServer: 0,
    total: 88.9,
  };
  assert.equal(
    formatCompletionStages(times),
    "prepare 1, debounce 25, load 0, round trip 62 (rpc -, engine -: queue -, retrieval -, prompt -, " +
      "generation -, detector -), language server 0, total 89",
  );
  const line = `2026-01-01 10:00:00.000 [debug] ${completionTimingsLine(times, "generated", "shown")}`;
  assert.deepEqual(parseCompletionTimingsLine(line), {
    times: { prepare: 1, debounce: 25, load: 0, roundTrip: 62, languageServer: 0, total: 89 },
    source: "generated",
    outcome: "shown",
  });
  assert.equal(parseCompletionTimingsLine("[info] Variant coop-tiny loaded (CPU)."), undefined);
});

test("the clock's rpc stage is the round trip less the engine's total; the engine's stages come along", async () => {
  const clock = new CompletionClock();
  clock.lap("prepare");
  clock.lap("debounce");
  clock.lap("load");
  await new Promise((resolve) => setTimeout(resolve, 30));
  clock.lap("roundTrip");
  const read = clock.read({ timings: { retrievalMs: 2, generationMs: 10, totalMs: 14 } });
  assert.ok(read.roundTrip! >= 25);
  assert.equal(read.rpc, read.roundTrip! - 14);
  assert.equal(read.engine, 14);
  assert.equal(read.generation, 10);
  assert.equal(read.detector, undefined);
  assert.ok(read.total! >= read.roundTrip!);
  const parsed = parseCompletionTimingsLine(completionTimingsLine(read, "cache", "empty"))!;
  assert.equal(parsed.times.retrieval, 2);
  assert.equal(parsed.times.queue, undefined);
  assert.equal(new CompletionClock().read().rpc, undefined, "no engine total: no rpc");
});

test("the editor skips the pause for what the engine's cache or typing through answers", () => {
  const instant = new InstantAnswers();
  const request = (prefix: string, suffix = "\n}"): EngineCompletionRequest => ({
    document: "file:///a.ts",
    path: "a.ts",
    prefix,
    suffix,
  });
  const answer = (text: string, source: EngineCompletion["source"] = "generated"): EngineCompletion => ({
    text,
    raw: text,
    source,
    multiline: false,
    contextChunks: 0,
  });
  assert.equal(instant.answersAtOnce("tiny", request("const total = ")), false);
  instant.remember("tiny", request("const total = "), answer("sum(values);"));
  assert.equal(instant.answersAtOnce("tiny", request("const total = ")), true, "the cache");
  assert.equal(instant.answersAtOnce("tiny", request("const total = su")), true, "typing through");
  assert.equal(instant.answersAtOnce("tiny", request("const total = x")), false, "typed something else");
  assert.equal(instant.answersAtOnce("other", request("const total = ")), false, "another variant");
  // An answer the engine did not generate adds nothing to its cache.
  instant.remember("tiny", request("let n = "), answer("1;", "cache"));
  assert.equal(instant.answersAtOnce("tiny", request("let n = ")), false);
});
