import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { buildChatPrompt, chatTemplateOf, type ChatTemplate } from "../../engine/chat/index.js";
import {
  CooperativeEngine,
  type ChatEvent,
  type EngineChatRequest,
  type VariantSpec,
} from "../../engine/host/index.js";
import { fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

let variant: VariantSpec;
let target: LlamaModel;
let draft: LlamaModel;
let expertContext: LlamaContext;
let amateurContext: LlamaContext;
let engine: CooperativeEngine;
const teardown = new Teardown();

const settings = { alpha: 1, beta: 0.1 };
const maxTokens = 24;
const question: EngineChatRequest = {
  messages: [{ role: "user", content: "How do I read the metadata of a GGUF file?" }],
  maxTokens,
  contrastive: settings,
};

before(async () => {
  const set = await fixtures();
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  teardown.add(() => target.dispose());
  draft = (await runtime.loadModel(set.draft)).model;
  teardown.add(() => draft.dispose());
  expertContext = await runtime.createContext(target, { contextSize: 1024 });
  teardown.add(() => expertContext.dispose());
  amateurContext = await runtime.createContext(draft, { contextSize: 1024 });
  teardown.add(() => amateurContext.dispose());
  engine = new CooperativeEngine();
  teardown.add(() => engine.dispose());
  await engine.loadVariant(variant);
});

after(async () => {
  await teardown.run();
  await disposeTestRuntime();
});

/** The next-token distribution after `tokens` as a dense array, from a fresh evaluation. */
async function distribution(sequence: LlamaContextSequence, tokens: readonly Token[]): Promise<Float64Array> {
  await sequence.clearHistory();
  const results = await sequence.controlledEvaluate(
    tokens.map((token, index) =>
      index === tokens.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
    ),
  );
  const probabilities = results.at(-1)!.next.probabilities!;
  const dense = new Float64Array(Math.max(...probabilities.keys()) + 1);
  for (const [token, probability] of probabilities) dense[token] = probability;
  return dense;
}

/**
 * Li et al.'s rule written out plainly: the plausible tokens of the expert, scored log p_e - alpha log p_a.
 */
function contrastiveToken(expert: Float64Array, amateur: Float64Array): number {
  const cutoff = settings.beta * Math.max(...expert);
  let best = -1;
  let bestScore = -Infinity;
  for (let token = 0; token < expert.length; token++) {
    if (expert[token]! < cutoff) continue;
    const score =
      Math.log(Math.max(expert[token]!, 1e-12)) -
      settings.alpha * Math.log(Math.max(amateur[token] ?? 0, 1e-12));
    if (score > bestScore || (score === bestScore && expert[token]! > expert[best]!))
      [best, bestScore] = [token, score];
  }
  return best;
}

/** The chat prompt the engine builds for `request` (no workspace, no attachments). */
function promptOf(request: EngineChatRequest, template: ChatTemplate): Token[] {
  const asked = request.maxTokens!;
  return buildChatPrompt(
    {
      turns: request.messages,
      attachments: [],
      sources: [],
      maxTokens: asked,
      contextSize: 2048,
      groundingTokens: Math.min(2048, Math.floor((2048 - asked) / 2)),
    },
    template,
    (text) => target.tokenize(text, false).length,
  ).tokens;
}

function texts(events: ChatEvent[]): string {
  return events.map((event) => (event.type === "text" ? event.text : "")).join("");
}

describe("contrastive decoding in the chat", () => {
  test("the answer is, token by token, what a reference computation from the two models' probabilities chooses; it streams after its sources", async () => {
    const events: ChatEvent[] = [];
    const answer = await engine.chat(question, undefined, (event) => events.push(event));
    assert.equal(events[0]?.type, "sources");
    assert.ok(
      events.slice(1).every((event) => event.type === "text") && events.length > 2,
      "the text streams in pieces",
    );
    assert.equal(texts(events), answer.text);
    assert.equal(answer.stopReason, "maxTokens", "the fixtures do not end an answer within 24 tokens");
    assert.equal(answer.tokens, maxTokens);

    const template = await chatTemplateOf(target);
    const prompt = promptOf(question, template);
    const expertSequence = expertContext.getSequence();
    const amateurSequence = amateurContext.getSequence();
    const chosen: Token[] = [];
    let differsFromGreedy = 0;
    try {
      while (chosen.length < maxTokens) {
        const context = [...prompt, ...chosen];
        const expert = await distribution(expertSequence, context);
        const token = contrastiveToken(expert, await distribution(amateurSequence, context)) as Token;
        assert.ok(!target.isEogToken(token), "the reference ends no sooner than the answer");
        if (expert.indexOf(Math.max(...expert)) !== token) differsFromGreedy++;
        chosen.push(token);
      }
    } finally {
      await expertSequence.dispose();
      await amateurSequence.dispose();
    }
    assert.equal(answer.text, target.detokenize(chosen, false));
    assert.ok(differsFromGreedy > 0, "the draft changed some choices, or the test proves nothing");

    const greedy = await engine.chat({ ...question, contrastive: undefined });
    assert.notEqual(
      greedy.text,
      answer.text,
      "without contrastive decoding the answer is the target's greedy one",
    );
    assert.equal((await engine.stats()).sequencesInUse, 0);
  });

  test("Stop ends a contrastive answer with what came before, and the next answer still works", async () => {
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    const answer = await engine.chat({ ...question, maxTokens: 400 }, controller.signal, (event) => {
      events.push(event);
      if (events.filter((each) => each.type === "text").length === 3) controller.abort();
    });
    assert.equal(answer.stopReason, "aborted");
    assert.ok(answer.text.length > 0 && answer.tokens < 400);
    assert.equal(texts(events), answer.text);
    const full = await engine.chat(question);
    assert.ok(full.text.startsWith(answer.text.slice(0, 10)), "the same answer begins the same way");
    assert.equal((await engine.stats()).sequencesInUse, 0);
  });

  test("refuses what it cannot do with a clear message", async () => {
    await assert.rejects(
      engine.chat({ ...question, codeOnly: { language: "typescript" } }),
      /Contrastive decoding cannot hold an answer to the code-only shape/,
    );
    await assert.rejects(
      engine.chat({ ...question, contrastive: { alpha: 1, beta: 3 } }),
      /Contrastive beta must be between 0 and 1/,
    );
    const noDraft = new CooperativeEngine();
    try {
      await noDraft.loadVariant({ ...variant, draft: undefined });
      await assert.rejects(noDraft.chat(question), /needs a variant with a draft model/);
    } finally {
      await noDraft.dispose();
    }
  });
});
