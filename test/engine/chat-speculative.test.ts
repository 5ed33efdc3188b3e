import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import {
  ChatResponder,
  chatTemplateOf,
  coopInstructions,
  generateAnswer,
  type GeneratedAnswer,
} from "../../engine/chat/index.js";
import { CompletionEngine } from "../../engine/completion/index.js";
import type { EngineChatRequest } from "../../engine/host/index.js";
import { fixtureCorpora, fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let target: LlamaModel;
let draft: LlamaModel;

before(async () => {
  const set = await fixtures();
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  draft = (await runtime.loadModel(set.draft)).model;
});

after(async () => {
  await draft.dispose();
  await target.dispose();
  await disposeTestRuntime();
});

const requests: EngineChatRequest[] = [
  { messages: [{ role: "user", content: "How do I read a GGUF file's metadata?" }], maxTokens: 64 },
  { messages: [{ role: "user", content: "Write a Python function that sums a list." }], maxTokens: 64 },
  {
    messages: [
      { role: "user", content: "What does this function return?" },
      { role: "assistant", content: "It returns the context size." },
      { role: "user", content: "And how would I change it?" },
    ],
    attachments: [
      {
        kind: "selection",
        path: "src/context.js",
        startLine: 10,
        endLine: 12,
        text: "get contextSize() {\n  return this._contextSize;\n}",
      },
    ],
    maxTokens: 64,
  },
  {
    messages: [{ role: "user", content: "Explain template <typename T> in C++ with an example." }],
    maxTokens: 64,
  },
];

test("speculative chat is lossless: with the draft, every answer is the target's own, and its speed and acceptance reach the engine's stats", async () => {
  const runtime = await testRuntime();
  const plain = await CompletionEngine.create(
    runtime,
    { target },
    { variant: "plain", speculative: false, contextSize: 2048 },
  );
  const speculative = await CompletionEngine.create(
    runtime,
    { target, draft },
    { variant: "speculative", speculative: true, contextSize: 2048 },
  );
  try {
    assert.equal(speculative.speculative, true);
    const plainChat = new ChatResponder(plain);
    const speculativeChat = new ChatResponder(speculative);
    for (const request of requests) {
      const streamed: string[] = [];
      const expected = await plainChat.answer(request, undefined);
      const actual = await speculativeChat.answer(
        request,
        undefined,
        undefined,
        (event) => event.type === "text" && streamed.push(event.text),
      );
      assert.ok(expected.text.length > 0);
      assert.equal(actual.text, expected.text, `differs for ${request.messages.at(-1)!.content}`);
      assert.equal(actual.tokens, expected.tokens);
      assert.equal(actual.stopReason, expected.stopReason);
      assert.equal(streamed.join(""), actual.text);
    }
    assert.equal(plain.stats.acceptanceRate, undefined, "the target alone drafts nothing");
    const acceptance = speculative.stats.acceptanceRate;
    assert.ok(
      acceptance !== undefined && acceptance > 0 && acceptance < 1,
      `the draft proposed, the target accepted some and refuted some: ${acceptance}`,
    );
    assert.equal(speculative.stats.requests, requests.length, "each answer was recorded");
    assert.equal(speculative.sequencesInUse, 0);
  } finally {
    await speculative.dispose();
    await plain.dispose();
  }
});

test("the chat's generation loop is lossless on answers that differ: prompts whose answer has begun with code from the corpus", async () => {
  // The tiny models are bigram models: a fresh answer is the same whatever the question, so these
  // prompts prefill the start of an answer with real code, each continuing differently.
  const runtime = await testRuntime();
  const template = await chatTemplateOf(target);
  const { code } = await fixtureCorpora();
  const prompts = Array.from({ length: 12 }, (_, index) => {
    const file = code.files[(index * 11) % code.files.length]!;
    const at = Math.floor((((index * 7919) % 1000) / 1000) * Math.max(0, file.text.length - 400));
    const begun = `Here is the code:\n\`\`\`\n${file.text.slice(at, at + 300)}`;
    return [
      ...template.render(coopInstructions, [{ role: "user", content: `Continue ${file.path}` }]),
      ...target.tokenize(begun, false),
    ];
  });
  const plain = await CompletionEngine.create(
    runtime,
    { target },
    { variant: "plain", speculative: false, contextSize: 2048 },
  );
  const speculative = await CompletionEngine.create(
    runtime,
    { target, draft },
    { variant: "speculative", speculative: true, contextSize: 2048 },
  );
  const answer = (engine: CompletionEngine, prompt: number[]): Promise<GeneratedAnswer> =>
    engine.withSequence("lossless", undefined, (sequence, signal) =>
      generateAnswer(sequence, prompt as never, { maxTokens: 48, stops: template.stops, signal }),
    );
  try {
    const answers = new Set<string>();
    let drafted = 0;
    let validated = 0;
    for (const prompt of prompts) {
      const expected = await answer(plain, prompt);
      const actual = await answer(speculative, prompt);
      assert.equal(actual.text, expected.text);
      assert.equal(actual.tokens, expected.tokens);
      answers.add(expected.text);
      drafted += actual.stats.drafted;
      validated += actual.stats.validated;
    }
    assert.ok(
      answers.size >= prompts.length / 2,
      `the answers differ from each other (${answers.size} distinct of ${prompts.length})`,
    );
    assert.ok(
      drafted > 0 && validated > 0 && validated < drafted,
      `validated ${validated} of ${drafted}: the comparison exercised acceptance and refutation`,
    );
  } finally {
    await speculative.dispose();
    await plain.dispose();
  }
});
